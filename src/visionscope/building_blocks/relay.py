"""The relay: moves committed outbox rows to the queues whose handlers want them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from visionscope.building_blocks.consumers import QUEUES, Subscriptions, queue_marker
from visionscope.building_blocks.db import dialect_name, utcnow
from visionscope.building_blocks.metrics import Metrics
from visionscope.building_blocks.outbox import DeadMessage, Envelope, InboxEntry, OutboxMessage, envelope_of
from visionscope.building_blocks.uow import OUTBOX_CHANNEL

log = logging.getLogger("visionscope.relay")

Delivery = tuple[Envelope, str]


class Publisher(Protocol):
    """Hands deliveries (envelope, queue) to the transport, in the order given."""

    async def publish(self, deliveries: Sequence[Delivery]) -> None: ...


@dataclass
class Relay:
    sessions: async_sessionmaker[AsyncSession]
    publisher: Publisher
    subscriptions: Subscriptions
    metrics: Metrics | None = None
    batch_size: int = 200

    async def relay_once(self) -> int:
        """Claim a batch of unsent rows, publish them, mark them sent; returns the batch size.

        On PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED`` so several relays share
        the work. A crash before the commit leaves the rows unsent: they are published again,
        and consumers' inboxes make the second delivery do nothing.
        """
        async with self.sessions() as session:
            statement = (
                select(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None))
                .order_by(OutboxMessage.position)
                .limit(self.batch_size)
            )
            if dialect_name(session) == "postgresql":
                statement = statement.with_for_update(skip_locked=True)
            rows = list((await session.scalars(statement)).all())
            if not rows:
                return 0
            deliveries = [
                (envelope_of(row), queue) for row in rows for queue in self.subscriptions.queues_for(row.type)
            ]
            await self.publisher.publish(deliveries)
            now = utcnow()
            for row in rows:
                row.sent_at = now
            await session.commit()
        if self.metrics is not None:
            for _, queue in deliveries:
                self.metrics.events_relayed.labels(queue).inc()
        return len(rows)

    async def drain(self) -> int:
        """Relay until nothing is left; returns how many rows were relayed."""
        total = 0
        while moved := await self.relay_once():
            total += moved
        return total

    async def sweep(self, *, unhandled_for: timedelta, window: timedelta = timedelta(days=2)) -> int:
        """Publish again what was sent but never finished on a queue (a broker or worker lost it)."""
        now = utcnow()
        again: list[Delivery] = []
        async with self.sessions() as session:
            for queue in QUEUES:
                types = self.subscriptions.types_on(queue)
                if not types:
                    continue
                rows = await session.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.sent_at.is_not(None),
                        OutboxMessage.sent_at < now - unhandled_for,
                        OutboxMessage.sent_at > now - window,
                        OutboxMessage.type.in_(types),
                        ~exists().where(
                            InboxEntry.consumer == queue_marker(queue),
                            InboxEntry.event_id == OutboxMessage.event_id,
                        ),
                        ~exists().where(
                            DeadMessage.event_id == OutboxMessage.event_id,
                            DeadMessage.queue == queue,
                            DeadMessage.replayed_at.is_(None),
                        ),
                    )
                    .order_by(OutboxMessage.position)
                    .limit(1000)
                )
                again.extend((envelope_of(row), queue) for row in rows)
        if again:
            log.warning("republishing events not handled in time", extra={"count": len(again)})
            await self.publisher.publish(again)
        return len(again)

    async def run(self, stop: asyncio.Event, wake: asyncio.Event, poll_interval: float) -> None:
        """Relay until ``stop``; sleeps until ``wake`` is set or ``poll_interval`` passes."""
        while not stop.is_set():
            try:
                moved = await self.relay_once()
            except Exception:
                log.exception("relay pass failed; retrying")
                moved = 0
            if moved:
                continue
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(stop, wake), timeout=poll_interval)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


@contextlib.asynccontextmanager
async def listen_for_outbox(engine: AsyncEngine, wake: asyncio.Event) -> Any:
    """On PostgreSQL, set ``wake`` whenever a transaction with events commits (LISTEN/NOTIFY)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection

        def _notified(*_args: object) -> None:
            wake.set()

        await driver.add_listener(OUTBOX_CHANNEL, _notified)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await driver.remove_listener(OUTBOX_CHANNEL, _notified)


async def outbox_figures(session: AsyncSession) -> tuple[int, float, int]:
    """Pending rows, age in seconds of the oldest pending row, and dead messages not replayed."""
    pending, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(OutboxMessage.sent_at.is_(None))
        )
    ).one()
    dead = await session.scalar(
        select(func.count()).select_from(DeadMessage).where(DeadMessage.replayed_at.is_(None))
    )
    lag = 0.0
    if oldest is not None:
        lag = max(0.0, (utcnow() - oldest).total_seconds())
    return int(pending), lag, int(dead or 0)


async def purge_sent(sessions: async_sessionmaker[AsyncSession], *, older_than: timedelta) -> int:
    """Delete sent outbox rows and inbox entries past the retention period."""
    cutoff = utcnow() - older_than
    async with sessions() as session:
        result = await session.execute(
            delete(OutboxMessage).where(OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < cutoff)
        )
        await session.execute(delete(InboxEntry).where(InboxEntry.handled_at < cutoff))
        await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
