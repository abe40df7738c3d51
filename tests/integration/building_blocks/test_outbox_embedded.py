"""Outbox, relay and consumers on a real database with the in-process transport."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy import func, select

from tests.helpers import register, workspace
from visionscope.bootstrap import Container
from visionscope.building_blocks.consumers import Consumer, Subscription, Subscriptions, queue_marker
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.outbox import DeadMessage, EventTypes, InboxEntry, OutboxMessage, envelope_of
from visionscope.building_blocks.relay import Delivery, Relay
from visionscope.building_blocks.transport import InProcessBroker, RetryPolicy
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.analytics.models import ActivityCount
from visionscope.runtime import EmbeddedRuntime


async def activity(container: Container, event_type: str) -> int:
    async with container.read_sessions() as session:
        total = await session.scalar(
            select(func.coalesce(func.sum(ActivityCount.count), 0)).where(
                ActivityCount.event_type == event_type
            )
        )
    return int(total or 0)


async def test_a_command_writes_its_event_with_the_request_id_and_it_is_handled(
    client: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime
) -> None:
    owner = await register(client)
    response = await client.post(
        "/v1/workspaces",
        json={"name": "w", "tier": "free"},
        headers={**owner.headers, "X-Request-ID": "req-42"},
    )
    assert response.status_code == 201
    async with container.read_sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.type == "WorkspaceCreated"))
    assert row is not None and row.request_id == "req-42" and str(row.actor_id) == owner.id
    await runtime.settle()
    assert await activity(container, "WorkspaceCreated") == 1
    async with container.read_sessions() as session:
        sent = await session.scalar(
            select(OutboxMessage.sent_at).where(OutboxMessage.event_id == row.event_id)
        )
    assert sent is not None


async def test_a_failed_command_leaves_no_event(client: httpx.AsyncClient, container: Container) -> None:
    owner = await register(client)
    refused = await client.post(
        "/v1/workspaces", json={"name": "w", "tier": "no-such-tier"}, headers=owner.headers
    )
    assert refused.status_code == 422
    async with container.read_sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.type == "WorkspaceCreated")
        )
    assert count == 0


async def test_a_second_delivery_of_the_same_event_has_no_effect(
    client: httpx.AsyncClient, container: Container
) -> None:
    owner = await register(client)
    await workspace(client, owner)
    async with container.read_sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.type == "WorkspaceCreated"))
    assert row is not None
    envelope = envelope_of(row)
    assert await container.consumer.consume(envelope, "analytics") == 1
    assert await container.consumer.consume(envelope, "analytics") == 0
    assert await activity(container, "WorkspaceCreated") == 1


async def test_events_sent_but_never_handled_are_swept_and_handled_once(
    client: httpx.AsyncClient, container: Container
) -> None:
    """A crash after the relay marked events sent but before the worker ran them loses nothing."""

    class Dropping:
        async def publish(self, deliveries: object) -> None:
            return None  # the broker lost them

    owner = await register(client)
    await workspace(client, owner)
    assert await container.relay(Dropping()).drain() >= 2
    broker = InProcessBroker(container.consumer, container.retry_policy)
    broker.start()
    try:
        from datetime import timedelta

        assert await container.relay(broker).sweep(unhandled_for=timedelta(0)) >= 2
        await broker.join()
    finally:
        await broker.stop()
    assert await activity(container, "WorkspaceCreated") == 1
    assert await activity(container, "UserRegistered") == 1


@dataclass(frozen=True, kw_only=True)
class Ping(Event):
    aggregate_field = "stream"
    stream: uuid.UUID
    n: int


async def record_pings(container: Container, stream: uuid.UUID, count: int) -> list[OutboxMessage]:
    uow = UnitOfWork(container.sessions)
    async with uow:
        for n in range(count):
            uow.record(Ping(stream=stream, n=n))
        await uow.commit()
    async with container.read_sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.aggregate_id == str(stream))
            .order_by(OutboxMessage.position)
        )
        return list(rows)


async def test_events_of_one_aggregate_are_handled_in_order_even_if_delivered_backwards(
    container: Container,
) -> None:
    seen: list[int] = []

    async def remember(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, Ping)
        seen.append(event.n)

    subs = Subscriptions([Subscription(Ping, "analytics", "test.remember", remember)])
    consumer = Consumer(container.sessions, subs, EventTypes([Ping]))
    stream = uuid.uuid4()
    rows = await record_pings(container, stream, 5)
    broker = InProcessBroker(consumer, RetryPolicy(order_delay=0.01))
    broker.start()
    try:
        await broker.publish([(envelope_of(r), "analytics") for r in reversed(rows)])
        await broker.join()
    finally:
        await broker.stop()
    assert seen == [0, 1, 2, 3, 4]
    async with container.read_sessions() as session:
        handled = await session.scalars(
            select(InboxEntry.event_id)
            .where(InboxEntry.consumer == queue_marker("analytics"))
            .order_by(InboxEntry.id)
        )
        assert list(handled) == [r.event_id for r in rows]


async def test_a_failing_handler_is_retried_then_parked_and_replay_handles_it(container: Container) -> None:
    attempts: list[int] = []
    healthy = False

    async def flaky(event: Event, uow: UnitOfWork) -> None:
        attempts.append(1)
        if not healthy:
            raise RuntimeError("downstream is down")

    subs = Subscriptions([Subscription(Ping, "notifications", "test.flaky", flaky)])
    consumer = Consumer(container.sessions, subs, EventTypes([Ping]))
    rows = await record_pings(container, uuid.uuid4(), 1)
    policy = RetryPolicy(max_failures=3, base_delay=0.01)
    broker = InProcessBroker(consumer, policy)
    relay = Relay(container.sessions, broker, subs)
    broker.start()
    try:
        assert await relay.drain() == 1
        await broker.join()
        assert len(attempts) == 3
        async with container.read_sessions() as session:
            dead = (await session.scalars(select(DeadMessage))).all()
        assert [(d.event_id, d.consumer, d.attempts) for d in dead] == [(rows[0].event_id, "test.flaky", 3)]
        assert "downstream is down" in dead[0].error
        healthy = True
        from visionscope.building_blocks.consumers import take_for_replay

        taken = await take_for_replay(container.sessions, dead[0].id)
        assert taken is not None
        await broker.publish([taken])
        await broker.join()
        assert await take_for_replay(container.sessions, dead[0].id) is None  # replayed once only
    finally:
        await broker.stop()
    assert len(attempts) == 4
    async with container.read_sessions() as session:
        marker = await session.scalar(select(InboxEntry).where(InboxEntry.consumer == "test.flaky"))
    assert marker is not None


async def test_a_consumer_works_under_the_request_id_that_caused_the_event(
    client: httpx.AsyncClient, container: Container
) -> None:
    from visionscope.building_blocks.tracing import current_request_id
    from visionscope.features.workspaces.events import WorkspaceCreated

    seen: list[str | None] = []

    async def remember(event: Event, uow: UnitOfWork) -> None:
        seen.append(current_request_id.get())

    owner = await register(client)
    await client.post(
        "/v1/workspaces",
        json={"name": "w", "tier": "free"},
        headers={**owner.headers, "X-Request-ID": "trace-me-1"},
    )
    subs = Subscriptions([Subscription(WorkspaceCreated, "analytics", "test.trace", remember)])
    consumer = Consumer(container.sessions, subs, EventTypes([WorkspaceCreated]))
    async with container.read_sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.type == "WorkspaceCreated"))
    assert row is not None
    await consumer.consume(envelope_of(row), "analytics")
    assert seen == ["trace-me-1"]


async def test_a_handler_that_handles_many_runs_once_for_a_batch_and_its_effects_commit_with_it(
    container: Container,
) -> None:
    """The batch form of a handler runs once for every ready event of the batch (not once an event);
    events already done are left out, and each event is marked done once."""
    batches: list[list[int]] = []
    singles: list[int] = []

    async def one(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, Ping)
        singles.append(event.n)

    async def many(events: Sequence[Event], uow: UnitOfWork) -> None:
        batches.append([e.n for e in events if isinstance(e, Ping)])

    subs = Subscriptions([Subscription(Ping, "analytics", "test.many", one, handle_many=many)])
    consumer = Consumer(container.sessions, subs, EventTypes([Ping]))
    rows = await record_pings(container, uuid.uuid4(), 6)
    envelopes = [envelope_of(r) for r in rows]
    assert await consumer.consume(envelopes[0], "analytics") == 1  # a batch of one
    outcomes = await consumer.consume_batch(envelopes, "analytics")
    assert [o.ran for o in outcomes] == [0, 1, 1, 1, 1, 1]
    assert batches == [[0], [1, 2, 3, 4, 5]] and singles == []
    assert [o.ran for o in await consumer.consume_batch(envelopes, "analytics")] == [0] * 6
    assert len(batches) == 2
    async with container.read_sessions() as session:
        marked = await session.scalar(
            select(func.count())
            .select_from(InboxEntry)
            .where(InboxEntry.consumer == queue_marker("analytics"))
        )
    assert marked == 6


async def test_when_the_batch_form_fails_each_event_is_handled_alone_and_only_the_failing_one_waits(
    container: Container,
) -> None:
    """The batch form's work is rolled back with its transaction; the batch is handled again event by
    event with the single form, in which one event fails: it and nothing else is left to retry."""
    singles: list[int] = []

    async def one(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, Ping)
        if event.n == 2:
            raise RuntimeError("event 2 is bad")
        singles.append(event.n)

    async def many(events: Sequence[Event], uow: UnitOfWork) -> None:
        raise RuntimeError("one of them is bad")

    subs = Subscriptions([Subscription(Ping, "analytics", "test.many", one, handle_many=many)])
    consumer = Consumer(container.sessions, subs, EventTypes([Ping]))
    first, second = uuid.uuid4(), uuid.uuid4()
    rows = await record_pings(container, first, 4) + await record_pings(container, second, 2)
    outcomes = await consumer.consume_batch([envelope_of(r) for r in rows], "analytics")
    assert [o.done for o in outcomes] == [True, True, False, False, True, True]
    assert outcomes[2].failure is not None and "event 2 is bad" in str(outcomes[2].failure)
    assert outcomes[3].waits_for == str(rows[2].event_id)
    assert singles == [0, 1, 0, 1]


async def test_a_batch_form_that_records_events_is_not_used(container: Container) -> None:
    """Events a handler records carry the actor and request of the event that caused them, which a
    batch form cannot tell: if it records any, the batch is handled event by event instead."""
    stream = uuid.uuid4()

    async def one(event: Event, uow: UnitOfWork) -> None:
        pass

    async def many(events: Sequence[Event], uow: UnitOfWork) -> None:
        uow.record(Ping(stream=stream, n=99))

    subs = Subscriptions([Subscription(Ping, "analytics", "test.many", one, handle_many=many)])
    consumer = Consumer(container.sessions, subs, EventTypes([Ping]))
    rows = await record_pings(container, uuid.uuid4(), 3)
    outcomes = await consumer.consume_batch([envelope_of(r) for r in rows], "analytics")
    assert all(o.done and o.ran == 1 for o in outcomes)
    async with container.read_sessions() as session:
        recorded = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.aggregate_id == str(stream))
        )
    assert recorded == 0


class Recording:
    """A transport that keeps the ``n`` of what it is given, one list per message."""

    def __init__(self) -> None:
        self.messages: list[list[int]] = []

    async def publish(self, deliveries: Sequence[Delivery]) -> None:
        self.messages.append([envelope["payload"]["n"] for envelope, _ in deliveries])

    async def until(self, count: int) -> None:
        for _ in range(3000):  # a safety net of minutes, not a time limit
            if sum(len(m) for m in self.messages) >= count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"only {self.messages} were published")


async def test_a_commit_notified_during_a_pass_that_found_nothing_is_relayed_without_waiting_for_the_poll(
    container: Container,
) -> None:
    """A pass that found nothing while a commit landed behind it (and notified) is followed at once by
    another pass: the wake-up is not lost, and the event does not wait for the poll (an hour)."""
    wake, stop = asyncio.Event(), asyncio.Event()
    publisher = Recording()
    subs = Subscriptions([Subscription(Ping, "analytics", "test.noop", lambda event, uow: asyncio.sleep(0))])

    class CommitLandsDuringFirstPass(Relay):
        passes = 0

        async def relay_once(self) -> int:
            self.passes += 1
            if self.passes == 1:  # the pass looked before the commit below
                await record_pings(container, uuid.uuid4(), 1)
                wake.set()
                return 0
            return await super().relay_once()

    relay = CommitLandsDuringFirstPass(container.sessions, publisher, subs)
    running = asyncio.create_task(relay.run(stop, wake, poll_interval=3600))
    try:
        await publisher.until(1)
    finally:
        stop.set()
        await running
    assert publisher.messages == [[0]]


async def test_while_events_keep_coming_the_relay_gathers_them_for_its_linger(container: Container) -> None:
    """After a pass that found events, the next waits ``linger``: events committed meanwhile wait
    for it, however many wake-ups come (with a linger of an hour, until the relay stops)."""
    wake, stop = asyncio.Event(), asyncio.Event()
    publisher = Recording()
    subs = Subscriptions([Subscription(Ping, "analytics", "test.noop", lambda event, uow: asyncio.sleep(0))])
    relay = Relay(container.sessions, publisher, subs, linger=3600)
    await record_pings(container, uuid.uuid4(), 1)
    running = asyncio.create_task(relay.run(stop, wake, poll_interval=3600))
    try:
        await publisher.until(1)
        for _ in range(3):
            await record_pings(container, uuid.uuid4(), 1)
            wake.set()
            await asyncio.sleep(0)
    finally:
        stop.set()
        await running
    assert publisher.messages == [[0]]
    async with container.read_sessions() as session:
        unsent = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )
    assert unsent == 3
    assert await Relay(container.sessions, publisher, subs).drain() == 3
    assert publisher.messages == [[0], [0, 0, 0]]
