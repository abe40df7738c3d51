"""Consumers: run an event's handlers for one queue, each exactly once, in aggregate order."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from visionscope.building_blocks.dead_messages import park, take_for_replay
from visionscope.building_blocks.delivery_state import delivery_state
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.outbox import (
    Envelope,
    EventTypes,
    InboxEntry,
    claim_inbox,
    in_inbox,
    insert_inbox,
)
from visionscope.building_blocks.subscriptions import (
    QUEUES,
    AnySubscription,
    EventContext,
    EventHandler,
    LongRunningHandler,
    LongRunningSubscription,
    Subscription,
    Subscriptions,
    queue_marker,
)
from visionscope.building_blocks.tracing import request_scope
from visionscope.building_blocks.uow import AfterCommit, UnitOfWork

__all__ = [
    "QUEUES",
    "AnySubscription",
    "Consumer",
    "EventContext",
    "EventHandler",
    "HandlerFailed",
    "HeldElsewhere",
    "LongRunningHandler",
    "LongRunningSubscription",
    "OutOfOrder",
    "Outcome",
    "Subscription",
    "Subscriptions",
    "queue_marker",
    "take_for_replay",
]

log = logging.getLogger("visionscope.consumers")


class OutOfOrder(Exception):
    """An earlier event of the same aggregate has not been handled on this queue yet: try again soon."""


class HeldElsewhere(Exception):
    """Raised by a long-running handler: another live worker has this event's work in hand. The
    delivery ends without being recorded as done, so that the event can be delivered again if
    that worker is lost."""


class HandlerFailed(Exception):
    def __init__(self, consumer: str, error: BaseException) -> None:
        super().__init__(f"{consumer}: {type(error).__name__}: {error}")
        self.consumer = consumer


class _HandlerFailedInBatch(Exception):
    """A handler failed in a batch handled without savepoints: handle the batch again carefully.
    ``event_id`` is None when a handler that handles many events at once failed."""

    def __init__(self, consumer: str, event_id: uuid.UUID | None, error: Exception) -> None:
        super().__init__(consumer)
        self.consumer, self.event_id, self.error = consumer, event_id, error


class _Together:
    """The events of a batch for each handler that handles many at once; each runs once, at the end."""

    def __init__(self) -> None:
        self._events: dict[str, tuple[Subscription, list[Event]]] = {}

    def add(self, sub: Subscription, event: Event) -> None:
        self._events.setdefault(sub.consumer, (sub, []))[1].append(event)

    async def run(self, uow: UnitOfWork) -> None:
        uow.actor_id, uow.request_id = None, None
        for sub, events in self._events.values():
            if sub.handle_many is None:
                raise TypeError(f"{sub.consumer} cannot handle many events at once")
            try:
                await sub.handle_many(events, uow)
                await uow.session.flush()
                if uow.discard_events():
                    raise TypeError(f"{sub.consumer} recorded events while handling many at once")
            except Exception as err:
                raise _HandlerFailedInBatch(sub.consumer, None, err) from err


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery: done (``ran`` handlers, 0 for a repeat), waiting, or failed."""

    envelope: Envelope
    ran: int = 0
    waits_for: str | None = None
    failure: HandlerFailed | None = None

    @property
    def done(self) -> bool:
        return self.waits_for is None and self.failure is None


@dataclass
class Consumer:
    """Runs handlers for events delivered on a queue; nothing here knows the transport.

    Deliveries come in batches. The short handlers of consecutive events share one transaction:
    one query finds which events are done and which wait for an earlier event of their aggregate,
    one insert claims every handler and writes every queue marker, the handlers run (a handler
    that can handle many events at once runs once for all of them) and it commits once. If a
    handler fails, the batch is handled again with a savepoint per handler, one event at a time;
    later events of the failing event's aggregate in the batch wait for it.
    """

    sessions: async_sessionmaker[AsyncSession]
    subscriptions: Subscriptions
    event_types: EventTypes
    on_events_committed: Callable[[], None] | None = None
    after_commit: AfterCommit | None = None

    async def consume(self, envelope: Envelope, queue: str) -> int:
        """Handle one delivery; returns how many handlers ran (0 for a repeated delivery)."""
        (outcome,) = await self.consume_batch([envelope], queue)
        if outcome.failure is not None:
            raise outcome.failure
        if outcome.waits_for is not None:
            raise OutOfOrder(f"event {envelope['id']} waits for {outcome.waits_for} on {queue}")
        return outcome.ran

    async def consume_batch(self, envelopes: Sequence[Envelope], queue: str) -> list[Outcome]:
        """Handle deliveries of ``queue`` in position order; one outcome per envelope, in the order given."""
        unique = {envelope["id"]: envelope for envelope in envelopes}
        ordered = sorted(unique.values(), key=lambda envelope: envelope["position"])
        outcomes: dict[str, Outcome] = {}
        waiting: dict[str, str] = {}  # aggregate -> the event of this batch its later events wait for
        segment: list[Envelope] = []
        for envelope in ordered:
            if not self.subscriptions.is_long_running(envelope["type"], queue):
                segment.append(envelope)
                continue
            if segment:
                outcomes.update(await self._in_one_transaction(segment, queue, waiting))
                segment = []
            outcomes[envelope["id"]] = await self._long_running(envelope, queue, waiting)
        if segment:
            outcomes.update(await self._in_one_transaction(segment, queue, waiting))
        return [outcomes[envelope["id"]] for envelope in envelopes]

    def _unit_of_work(self, envelope: Envelope | None = None) -> UnitOfWork:
        uow = UnitOfWork(
            self.sessions, on_events_committed=self.on_events_committed, after_commit=self.after_commit
        )
        if envelope is not None:
            _act_as(uow, envelope)
        return uow

    async def _in_one_transaction(
        self, envelopes: list[Envelope], queue: str, waiting: dict[str, str]
    ) -> dict[str, Outcome]:
        """Handle the batch in one transaction, first without savepoints (one round trip fewer per
        handler); if a handler fails, roll it all back and handle the batch again with a savepoint
        per handler, so that only the failing handler's work is lost."""
        trial = dict(waiting)
        try:
            results = await self._handle(envelopes, queue, trial, careful=False)
        except _HandlerFailedInBatch as failed:
            # The failing handler is not run a second time: its failure is known (unless it was
            # handling many events at once: then each event tells).
            known = {} if failed.event_id is None else {(failed.consumer, failed.event_id): failed.error}
            return await self._handle(envelopes, queue, waiting, careful=True, known=known)
        waiting.update(trial)
        return results

    async def _handle(
        self,
        envelopes: list[Envelope],
        queue: str,
        waiting: dict[str, str],
        *,
        careful: bool,
        known: dict[tuple[str, uuid.UUID], Exception] | None = None,
    ) -> dict[str, Outcome]:
        results: dict[str, Outcome] = {}
        uow = self._unit_of_work()
        async with uow:
            session = uow.session
            state = await delivery_state(session, self.subscriptions, queue, envelopes)
            seen = state.seen
            ready: list[Envelope] = []
            for envelope in envelopes:
                blocker = waiting.get(envelope["aggregate_id"]) or state.blocker(envelope)
                if state.done(queue, envelope):
                    results[envelope["id"]] = Outcome(envelope)
                elif blocker is not None:
                    results[envelope["id"]] = Outcome(envelope, waits_for=blocker)
                else:
                    ready.append(envelope)
            # Claim every handler of every ready event at once; a claim a concurrent delivery holds
            # waits for it, and is not ours if it committed.
            wanted = [
                (sub.consumer, uuid.UUID(envelope["id"]))
                for envelope in ready
                for sub in self._short_subscriptions(envelope["type"], queue)
                if (sub.consumer, uuid.UUID(envelope["id"])) not in seen
            ]
            if not careful:  # every ready event will be done, or nothing will: mark them now
                wanted += [(queue_marker(queue), uuid.UUID(envelope["id"])) for envelope in ready]
            claimed = await claim_inbox(session, wanted)
            unclaim: list[tuple[str, uuid.UUID]] = []
            markers: list[tuple[str, uuid.UUID]] = []
            together = _Together()
            for envelope in ready:
                event_id = uuid.UUID(envelope["id"])
                mine = [
                    sub
                    for sub in self._short_subscriptions(envelope["type"], queue)
                    if (sub.consumer, event_id) in claimed
                ]
                if not careful and (queue_marker(queue), event_id) not in claimed:
                    unclaim.extend((sub.consumer, event_id) for sub in mine)
                    results[envelope["id"]] = Outcome(envelope)  # a concurrent delivery finished it
                    continue
                blocker = waiting.get(envelope["aggregate_id"])
                if blocker is not None:
                    unclaim.extend((sub.consumer, event_id) for sub in mine)
                    results[envelope["id"]] = Outcome(envelope, waits_for=blocker)
                    continue
                with request_scope(envelope["request_id"]):
                    outcome = await self._run_handlers(
                        uow, envelope, mine, careful=careful, known=known, together=together
                    )
                results[envelope["id"]] = outcome
                if outcome.failure is None:
                    if careful:
                        markers.append((queue_marker(queue), event_id))
                else:
                    waiting[envelope["aggregate_id"]] = envelope["id"]
                    unclaim.extend((sub.consumer, event_id) for sub in mine[outcome.ran :])
            await together.run(uow)
            if unclaim:
                await session.execute(
                    delete(InboxEntry).where(tuple_(InboxEntry.consumer, InboxEntry.event_id).in_(unclaim))
                )
            if markers:
                await insert_inbox(session, markers)
            await uow.commit()
        return results

    def _short_subscriptions(self, event_type: str, queue: str) -> list[Subscription]:
        return [s for s in self.subscriptions.handlers(event_type, queue) if isinstance(s, Subscription)]

    async def _run_handlers(
        self,
        uow: UnitOfWork,
        envelope: Envelope,
        subs: list[Subscription],
        *,
        careful: bool,
        known: dict[tuple[str, uuid.UUID], Exception] | None = None,
        together: _Together | None = None,
    ) -> Outcome:
        """Run the event's claimed handlers in order; stop at the first failure. Careful: each in a
        savepoint. Otherwise a failure abandons the whole transaction, and a handler that can
        handle many events at once is left to ``together``, which runs it once for the batch."""
        session = uow.session
        _act_as(uow, envelope)
        event = self.event_types.decode(envelope)
        for ran, sub in enumerate(subs):
            try:
                if known and (sub.consumer, event.event_id) in known:
                    raise known[(sub.consumer, event.event_id)]
                if careful:
                    async with session.begin_nested():
                        await sub.handler(event, uow)
                        await session.flush()
                elif together is not None and sub.handle_many is not None:
                    together.add(sub, event)
                else:
                    await sub.handler(event, uow)
                    await session.flush()
            except Exception as err:
                if not careful:
                    raise _HandlerFailedInBatch(sub.consumer, event.event_id, err) from err
                uow.discard_events()
                return Outcome(envelope, ran, failure=HandlerFailed(sub.consumer, err))
            uow.stage_events()
        return Outcome(envelope, len(subs))

    async def _long_running(self, envelope: Envelope, queue: str, waiting: dict[str, str]) -> Outcome:
        """An event with a handler that commits its own transactions: run it alone, then mark it done."""
        async with self.sessions() as session:
            state = await delivery_state(session, self.subscriptions, queue, [envelope])
        if state.done(queue, envelope):
            return Outcome(envelope)
        blocker = waiting.get(envelope["aggregate_id"]) or state.blocker(envelope)
        if blocker is not None:
            return Outcome(envelope, waits_for=blocker)
        event = self.event_types.decode(envelope)
        ran = 0
        with request_scope(envelope["request_id"]):
            for sub in self.subscriptions.handlers(envelope["type"], queue):
                if not isinstance(sub, LongRunningSubscription):
                    continue
                try:
                    ran += await self._run_long(sub, event, envelope)
                except HeldElsewhere:
                    log.info("another worker has it in hand", extra={"event_id": envelope["id"]})
                    return Outcome(envelope, ran)  # not recorded as done: it may come again
                except HandlerFailed as failure:
                    waiting[envelope["aggregate_id"]] = envelope["id"]
                    return Outcome(envelope, ran, failure=failure)
        rest = (await self._in_one_transaction([envelope], queue, waiting))[envelope["id"]]
        return Outcome(envelope, ran + rest.ran, rest.waits_for, rest.failure)

    async def _run_long(self, sub: LongRunningSubscription, event: Event, envelope: Envelope) -> int:
        async with self.sessions() as session:
            if await in_inbox(session, sub.consumer, event.event_id):
                return 0
        try:
            actor = uuid.UUID(envelope["actor_id"]) if envelope["actor_id"] else None
            context = EventContext(envelope["request_id"], actor, lambda: self._unit_of_work(envelope))
            await sub.handler(event, context)
        except HeldElsewhere:
            raise
        except Exception as err:
            raise HandlerFailed(sub.consumer, err) from err
        async with self.sessions() as session:
            await insert_inbox(session, [(sub.consumer, event.event_id)])
            await session.commit()
        return 1

    async def park(self, envelope: Envelope, queue: str, consumer: str, error: str, attempts: int) -> None:
        """Keep a message that kept failing where operators can see and replay it."""
        await park(self.sessions, envelope, queue, consumer, error, attempts)


def _act_as(uow: UnitOfWork, envelope: Envelope) -> None:
    """Events a handler records carry the actor and request id of the event it handles."""
    uow.actor_id = uuid.UUID(envelope["actor_id"]) if envelope["actor_id"] else None
    uow.request_id = envelope["request_id"]
