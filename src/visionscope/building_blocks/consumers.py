"""Consumers: run an event's handlers for one queue, each exactly once, in aggregate order."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from visionscope.building_blocks.db import utcnow
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.outbox import (
    DeadMessage,
    Envelope,
    EventTypes,
    InboxEntry,
    OutboxMessage,
    envelope_of,
)
from visionscope.building_blocks.tracing import request_scope
from visionscope.building_blocks.uow import AfterCommit, UnitOfWork

log = logging.getLogger("visionscope.consumers")

QUEUES = ("billing", "video_processing", "notifications", "analytics")

EventHandler = Callable[[Event, UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class EventContext:
    """What a long-running handler knows of the delivery: who caused the event, in which request."""

    request_id: str | None
    actor_id: uuid.UUID | None
    unit_of_work: Callable[[], UnitOfWork]


LongRunningHandler = Callable[[Event, EventContext], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """``handler`` runs for every ``event_type`` on ``queue``; ``consumer`` names it in the inbox.

    The handler's effect and its inbox entry are committed in one transaction, so it runs once.
    """

    event_type: type[Event]
    queue: str
    consumer: str
    handler: EventHandler


@dataclass(frozen=True)
class LongRunningSubscription:
    """A handler that works for minutes (a video analysis) and must not hold a transaction open.

    It gets an ``EventContext`` and commits its own short transactions; it must be
    idempotent by itself (a lease on the aggregate, resumable stages). Its inbox entry is
    written when it returns, so a delivery cut short by a crash is handled again.
    """

    event_type: type[Event]
    queue: str
    consumer: str
    handler: LongRunningHandler


AnySubscription = Subscription | LongRunningSubscription


class Subscriptions:
    """Which handlers run for which event type, and so to which queues an event goes."""

    def __init__(self, subscriptions: Iterable[AnySubscription]) -> None:
        self._by_type_queue: dict[tuple[str, str], list[AnySubscription]] = defaultdict(list)
        self._queues_by_type: dict[str, list[str]] = defaultdict(list)
        self._types_by_queue: dict[str, set[str]] = defaultdict(set)
        consumers: set[tuple[str, str]] = set()
        for sub in subscriptions:
            if sub.queue not in QUEUES:
                raise ValueError(f"unknown queue {sub.queue!r} for {sub.consumer}")
            name = sub.event_type.__name__
            if (sub.consumer, name) in consumers:
                raise ValueError(f"{sub.consumer} subscribes to {name} twice")
            consumers.add((sub.consumer, name))
            self._by_type_queue[(name, sub.queue)].append(sub)
            if sub.queue not in self._queues_by_type[name]:
                self._queues_by_type[name].append(sub.queue)
            self._types_by_queue[sub.queue].add(name)

    def queues_for(self, event_type: str) -> list[str]:
        return list(self._queues_by_type.get(event_type, ()))

    def handlers(self, event_type: str, queue: str) -> list[AnySubscription]:
        return list(self._by_type_queue.get((event_type, queue), ()))

    def types_on(self, queue: str) -> set[str]:
        return set(self._types_by_queue.get(queue, ()))


class OutOfOrder(Exception):
    """An earlier event of the same aggregate has not been handled on this queue yet: try again soon."""


class HandlerFailed(Exception):
    def __init__(self, consumer: str, error: BaseException) -> None:
        super().__init__(f"{consumer}: {type(error).__name__}: {error}")
        self.consumer = consumer


def queue_marker(queue: str) -> str:
    """The inbox consumer name that says every handler of ``queue`` is done with an event."""
    return f"queue:{queue}"


@dataclass
class Consumer:
    """Runs handlers for events delivered on a queue; nothing here knows the transport."""

    sessions: async_sessionmaker[AsyncSession]
    subscriptions: Subscriptions
    event_types: EventTypes
    on_events_committed: Callable[[], None] | None = None
    after_commit: AfterCommit | None = None

    async def consume(self, envelope: Envelope, queue: str) -> int:
        """Handle one delivery; returns how many handlers ran (0 for a repeated delivery)."""
        with request_scope(envelope["request_id"]):
            return await self._consume(envelope, queue)

    async def _consume(self, envelope: Envelope, queue: str) -> int:
        event_id = uuid.UUID(envelope["id"])
        marker = queue_marker(queue)
        async with self.sessions() as session:
            if await _seen(session, marker, event_id):
                return 0
            await self._check_order(session, envelope, queue)
        event = self.event_types.decode(envelope)
        ran = 0
        for sub in self.subscriptions.handlers(envelope["type"], queue):
            ran += await self._run_once(sub, event, envelope)
        async with self.sessions() as session:
            session.add(InboxEntry(consumer=marker, event_id=event_id))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()  # another delivery finished first
        return ran

    def _unit_of_work(self, envelope: Envelope) -> UnitOfWork:
        actor = uuid.UUID(envelope["actor_id"]) if envelope["actor_id"] else None
        return UnitOfWork(
            self.sessions,
            actor_id=actor,
            request_id=envelope["request_id"],
            on_events_committed=self.on_events_committed,
            after_commit=self.after_commit,
        )

    async def _run_long(self, sub: LongRunningSubscription, event: Event, envelope: Envelope) -> int:
        async with self.sessions() as session:
            if await _seen(session, sub.consumer, event.event_id):
                return 0
        try:
            actor = uuid.UUID(envelope["actor_id"]) if envelope["actor_id"] else None
            context = EventContext(envelope["request_id"], actor, lambda: self._unit_of_work(envelope))
            await sub.handler(event, context)
        except Exception as err:
            raise HandlerFailed(sub.consumer, err) from err
        async with self.sessions() as session:
            session.add(InboxEntry(consumer=sub.consumer, event_id=event.event_id))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
        return 1

    async def _run_once(self, sub: AnySubscription, event: Event, envelope: Envelope) -> int:
        if isinstance(sub, LongRunningSubscription):
            return await self._run_long(sub, event, envelope)
        uow = self._unit_of_work(envelope)
        async with uow:
            if await _seen(uow.session, sub.consumer, event.event_id):
                return 0
            uow.session.add(InboxEntry(consumer=sub.consumer, event_id=event.event_id))
            try:
                await uow.flush()  # claims the event for this consumer before the effect
            except IntegrityError:
                return 0
            try:
                await sub.handler(event, uow)
                await uow.commit()
            except IntegrityError as err:
                if await self._claimed_meanwhile(sub.consumer, event.event_id):
                    return 0
                raise HandlerFailed(sub.consumer, err) from err
            except Exception as err:
                raise HandlerFailed(sub.consumer, err) from err
        return 1

    async def _claimed_meanwhile(self, consumer: str, event_id: uuid.UUID) -> bool:
        async with self.sessions() as session:
            return await _seen(session, consumer, event_id)

    async def _check_order(self, session: AsyncSession, envelope: Envelope, queue: str) -> None:
        types = self.subscriptions.types_on(queue)
        marker = queue_marker(queue)
        earlier = await session.scalar(
            select(OutboxMessage.event_id)
            .where(
                OutboxMessage.aggregate_id == envelope["aggregate_id"],
                OutboxMessage.position < envelope["position"],
                OutboxMessage.type.in_(types),
                ~exists().where(InboxEntry.consumer == marker, InboxEntry.event_id == OutboxMessage.event_id),
                ~exists().where(
                    DeadMessage.event_id == OutboxMessage.event_id,
                    DeadMessage.queue == queue,
                    DeadMessage.replayed_at.is_(None),
                ),
            )
            .limit(1)
        )
        if earlier is not None:
            raise OutOfOrder(f"event {envelope['id']} waits for {earlier} on {queue}")

    async def park(self, envelope: Envelope, queue: str, consumer: str, error: str, attempts: int) -> None:
        """Keep a message that kept failing where operators can see and replay it."""
        async with self.sessions() as session:
            session.add(
                DeadMessage(
                    event_id=uuid.UUID(envelope["id"]),
                    event_type=envelope["type"],
                    queue=queue,
                    consumer=consumer,
                    error=error[:4000],
                    attempts=attempts,
                )
            )
            await session.commit()
        log.error(
            "event parked as dead",
            extra={"event_id": envelope["id"], "queue": queue, "consumer": consumer, "attempts": attempts},
        )


async def _seen(session: AsyncSession, consumer: str, event_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(InboxEntry.id).where(InboxEntry.consumer == consumer, InboxEntry.event_id == event_id)
    )
    return found is not None


async def take_for_replay(
    sessions: async_sessionmaker[AsyncSession], dead_id: uuid.UUID
) -> tuple[Envelope, str] | None:
    """Mark a dead message replayed and return its envelope and queue, to be published again."""
    async with sessions() as session:
        dead = await session.get(DeadMessage, dead_id)
        if dead is None or dead.replayed_at is not None:
            return None
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.event_id == dead.event_id))
        if row is None:
            return None
        await session.execute(
            update(DeadMessage)
            .where(DeadMessage.event_id == dead.event_id, DeadMessage.queue == dead.queue)
            .values(replayed_at=utcnow())
        )
        await session.commit()
        return envelope_of(row), dead.queue
