"""Dead messages: events whose handlers kept failing, kept for operators to inspect and replay."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from visionscope.building_blocks.db import utcnow
from visionscope.building_blocks.outbox import DeadMessage, Envelope, OutboxMessage, envelope_of

log = logging.getLogger("visionscope.consumers")


async def park(
    sessions: async_sessionmaker[AsyncSession],
    envelope: Envelope,
    queue: str,
    consumer: str,
    error: str,
    attempts: int,
) -> None:
    """Keep a message that kept failing where operators can see and replay it."""
    async with sessions() as session:
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
