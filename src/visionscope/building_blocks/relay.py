"""The relay: moves committed outbox rows to the queues whose handlers want them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import redis.asyncio as aioredis
from sqlalchemy import delete, exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from visionscope.building_blocks.consumers import QUEUES, Subscriptions, queue_marker
from visionscope.building_blocks.db import dialect_name, utcnow
from visionscope.building_blocks.metrics import Metrics
from visionscope.building_blocks.outbox import (
    OUTBOX_CHANNEL,
    DeadMessage,
    Envelope,
    InboxEntry,
    OutboxMessage,
    envelope_of,
)

log = logging.getLogger("visionscope.relay")

Delivery = tuple[Envelope, str]
SWEEP_PAGE = 1000
RELAY_MAX_BACKOFF = 10.0


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
    # While events keep coming, passes start at most this often (seconds): a batch gathers what
    # committed meanwhile. A pass after a quiet spell starts as soon as it is woken.
    linger: float = 0.0

    async def relay_once(self) -> int:
        """Claim a batch of unsent rows, publish them, commit; returns the batch size.

        One statement claims the rows and marks them sent (``UPDATE ... RETURNING``); the commit
        after publishing makes that final. On PostgreSQL rows are claimed with ``FOR UPDATE SKIP
        LOCKED`` so several relays share the work. A crash before the commit leaves the rows
        unsent: they are published again, and consumers' inboxes make the second delivery do
        nothing.
        """
        async with self.sessions() as session:
            unsent = (
                select(OutboxMessage.position)
                .where(OutboxMessage.sent_at.is_(None))
                .order_by(OutboxMessage.position)
                .limit(self.batch_size)
            )
            if dialect_name(session) == "postgresql":
                unsent = unsent.with_for_update(skip_locked=True)
                # Marking rows sent need not wait for the disk: if a crash loses it, the rows are
                # published again, and consumers' inboxes make that harmless.
                await session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            claimed = await session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.position.in_(unsent.scalar_subquery()))
                .values(sent_at=utcnow())
                .returning(OutboxMessage),
                execution_options={"synchronize_session": False},
            )
            rows = sorted(claimed.all(), key=lambda row: row.position)
            if not rows:
                return 0
            deliveries = [
                (envelope_of(row), queue) for row in rows for queue in self.subscriptions.queues_for(row.type)
            ]
            await self.publisher.publish(deliveries)
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
        total = 0
        for queue in QUEUES:
            types = self.subscriptions.types_on(queue)
            after = 0
            while types:
                async with self.sessions() as session:
                    rows = list(
                        await session.scalars(
                            select(OutboxMessage)
                            .where(
                                OutboxMessage.position > after,
                                OutboxMessage.sent_at.is_not(None),
                                OutboxMessage.sent_at < now - unhandled_for,
                                OutboxMessage.sent_at > now - window,
                                OutboxMessage.type.in_(sorted(types)),
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
                            .limit(SWEEP_PAGE)
                        )
                    )
                if not rows:
                    break
                await self.publisher.publish([(envelope_of(row), queue) for row in rows])
                total += len(rows)
                after = rows[-1].position
        if total:
            log.warning("republished events not handled in time", extra={"count": total})
        return total

    async def run(
        self,
        stop: asyncio.Event,
        wake: asyncio.Event,
        poll_interval: float,
        broker: BrokerWatch | None = None,
    ) -> None:
        """Relay until ``stop``; sleeps until ``wake`` is set or ``poll_interval`` passes. After a
        pass that found events (but not a full batch), the next starts ``linger`` after it.

        With a ``broker`` watch it also notices, within the watch's interval, that the broker
        came back empty, and publishes again everything relayed but not handled. While the
        database or the broker is unreachable it backs off and keeps trying.
        """
        failures = 0
        next_check = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            if broker is not None and loop.time() >= next_check:
                next_check = loop.time() + broker.interval
                await self._recover_if_broker_lost(broker)
            # Cleared before the pass, not after: a commit notified while the pass runs sets it
            # again, and the next pass starts at once instead of after the poll interval.
            wake.clear()
            passed = loop.time()
            try:
                moved = await self.relay_once()
                failures = 0
            except Exception as err:
                failures += 1
                moved = 0
                log.warning("relay pass failed; retrying", extra={"error": repr(err), "failures": failures})
            if moved >= self.batch_size:
                continue  # more may be waiting
            if moved:
                # Events are coming in: let more commit before the next pass, so that a stream of
                # small transactions travels in batches rather than a message each.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, passed + self.linger - loop.time())):
                        await stop.wait()
                continue
            pause = poll_interval if not failures else min(RELAY_MAX_BACKOFF, 0.5 * 2 ** min(failures, 6))
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that arrives as its awaitable finishes, and the task would then never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await (_first(stop, wake) if not failures else stop.wait())

    async def _recover_if_broker_lost(self, broker: BrokerWatch) -> None:
        try:
            if await broker.came_back_empty():
                log.warning("the broker lost its messages; publishing again what was not handled")
                await self.sweep(unhandled_for=timedelta(0))
        except Exception as err:
            log.warning("broker check failed", extra={"error": repr(err)})


class BrokerWatch:
    """Notices that the broker restarted without its data (and so without the messages it held).

    It keeps a mark in Redis; a relay that finds the mark gone sets it again and is the one that
    publishes again every event relayed but not handled (consumers' inboxes make repeats harmless).
    The first relay ever to start finds no mark either: its republishing finds nothing or repeats.
    """

    KEY = "visionscope:broker:mark"

    def __init__(self, url: str, interval: float) -> None:
        self.interval = interval
        self._client: Any = aioredis.from_url(url, socket_connect_timeout=2, socket_timeout=2)

    async def came_back_empty(self) -> bool:
        return bool(await self._client.set(self.KEY, utcnow().isoformat(), nx=True))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._client.aclose()


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


@contextlib.asynccontextmanager
async def listen_for_outbox(engine: AsyncEngine, wake: asyncio.Event) -> Any:
    """On PostgreSQL, set ``wake`` whenever a transaction with events commits (LISTEN/NOTIFY).

    The listening connection is opened again when it drops (a database restart); meanwhile
    the relay polls.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    listener = asyncio.create_task(_keep_listening(engine, wake), name="outbox-listener")
    try:
        yield
    finally:
        listener.cancel()
        # Bounded: a listener that does not stop within seconds is left behind rather than
        # holding up the shutdown of the process.
        done, _ = await asyncio.wait({listener}, timeout=5)
        if not done:
            log.warning("outbox listener did not stop within 5 s")


async def _keep_listening(engine: AsyncEngine, wake: asyncio.Event) -> None:
    def _notified(*_args: object) -> None:
        wake.set()

    while True:
        try:
            async with engine.connect() as conn:
                raw = await conn.get_raw_connection()
                driver: Any = raw.driver_connection
                await driver.add_listener(OUTBOX_CHANNEL, _notified)
                wake.set()  # events may have been committed while nobody listened
                while True:  # a query every second: it fails once the connection is gone
                    await asyncio.sleep(1.0)
                    async with asyncio.timeout(5):  # not wait_for: see Relay.run
                        await driver.execute("SELECT 1")
        except Exception as err:
            log.warning("outbox listener lost; reconnecting", extra={"error": repr(err)})
        await asyncio.sleep(1.0)


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
