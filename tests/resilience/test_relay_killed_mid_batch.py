"""A relay SIGKILLed in the middle of 10,000 events: none lost, none handled twice, order kept.

Real processes: PostgreSQL, Redis, a Celery worker with two processes, a relay that dies right
after publishing its third batch (before marking it sent), then a `visionscope relay` that
finishes the work.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from tests.conftest import REDIS_URL, truncate_postgres
from tests.resilience.processes import RELAY_PROCESS, stop, visionscope, wait_for
from visionscope.building_blocks.consumers import queue_marker
from visionscope.building_blocks.db import create_engine, session_factory
from visionscope.building_blocks.outbox import InboxEntry, OutboxMessage
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.analytics.models import ActivityCount
from visionscope.features.workspaces.events import WorkspaceRenamed

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
EVENTS = 10_000
AGGREGATES = 100


async def record_events(url: str) -> None:
    """10,000 renames of 100 workspaces, 1,000 to a transaction."""
    engine = create_engine(url)
    workspaces = [uuid.uuid4() for _ in range(AGGREGATES)]
    for chunk in range(0, EVENTS, 1000):
        uow = UnitOfWork(session_factory(engine))
        async with uow:
            for n in range(chunk, chunk + 1000):
                uow.record(WorkspaceRenamed(workspace_id=workspaces[n % AGGREGATES]))
            await uow.commit()
    await engine.dispose()


async def figures(url: str) -> dict[str, int]:
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        unsent = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )
        handled = await session.scalar(
            select(func.count())
            .select_from(InboxEntry)
            .where(InboxEntry.consumer == queue_marker("analytics"))
        )
        claims = await session.scalar(
            select(func.count())
            .select_from(InboxEntry)
            .where(InboxEntry.consumer == "analytics.count_activity")
        )
        counted = await session.scalar(select(func.coalesce(func.sum(ActivityCount.count), 0)))
    await engine.dispose()
    return {
        "unsent": int(unsent or 0),
        "handled": int(handled or 0),
        "claims": int(claims or 0),
        "counted": int(counted or 0),
    }


async def order_kept(url: str) -> bool:
    """Per workspace, the queue markers were written in the order of the events' positions."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        rows = (
            await session.execute(
                select(OutboxMessage.aggregate_id, OutboxMessage.position)
                .join(InboxEntry, InboxEntry.event_id == OutboxMessage.event_id)
                .where(InboxEntry.consumer == queue_marker("analytics"))
                .order_by(InboxEntry.id)
            )
        ).all()
    await engine.dispose()
    last: dict[str, int] = {}
    for aggregate, position in rows:
        if last.get(aggregate, -1) > position:
            return False
        last[aggregate] = position
    return True


def test_a_relay_killed_mid_batch_loses_nothing_and_doubles_nothing(
    tmp_path: Path, postgres_migrated: str
) -> None:
    url = postgres_migrated
    asyncio.run(truncate_postgres(url))
    assert REDIS_URL is not None
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **os.environ,
        "VISIONSCOPE_DATABASE_URL": url,
        "VISIONSCOPE_BROKER_URL": REDIS_URL,
        "VISIONSCOPE_DATA_DIR": str(tmp_path / "data"),
        "VISIONSCOPE_SECRET_KEY": "resilience-" + "x" * 40,
        "VISIONSCOPE_LOG_JSON": "false",
        "VISIONSCOPE_LOG_LEVEL": "WARNING",
        "VISIONSCOPE_OUTBOX_BATCH_SIZE": "500",
    }
    asyncio.run(record_events(url))
    worker = visionscope(["worker", "-Q", "analytics", "--concurrency", "2"], env, tmp_path / "worker.log")
    try:
        dying = subprocess.run(
            [sys.executable, str(RELAY_PROCESS), "crash-after-publish:3"],
            env=env,
            capture_output=True,
            timeout=300,
        )
        assert dying.returncode == -9
        after_crash = asyncio.run(figures(url))
        # Two batches were marked sent; the third was published but never marked.
        assert after_crash["unsent"] == EVENTS - 2 * 500
        relay = visionscope(["relay"], env, tmp_path / "relay.log")
        try:
            wait_for(
                lambda: asyncio.run(figures(url))["handled"] >= EVENTS,
                "every event handled",
                patience=600,
                every=1.0,
            )
        finally:
            stop(relay)
        # The third batch went out twice; its second deliveries must come to nothing.
        broker = redis.Redis.from_url(REDIS_URL)
        wait_for(lambda: broker.llen("analytics") == 0 and broker.hlen("unacked") == 0, "broker drained")
    finally:
        stop(worker)
    final = asyncio.run(figures(url))
    assert final == {"unsent": 0, "handled": EVENTS, "claims": EVENTS, "counted": EVENTS}
    assert asyncio.run(order_kept(url))
