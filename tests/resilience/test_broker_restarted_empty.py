"""Redis restarted empty with events in flight: the relay notices and publishes them again, the
worker reconnects by itself, every event is handled once. While Redis is down the api still
accepts writes and /readyz says the broker is down.

Real processes: a redis-server of the test's own (no persistence), PostgreSQL, a relay and a
Celery worker. No beat runs, so the long outbox sweep cannot be what recovers the events.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import func, select

from tests.conftest import truncate_postgres
from tests.helpers import PASSWORD, register
from tests.resilience.processes import RedisServer, stop, visionscope, wait_for
from visionscope.app import create_app
from visionscope.bootstrap import build_container
from visionscope.building_blocks.consumers import queue_marker
from visionscope.building_blocks.db import create_engine, session_factory
from visionscope.building_blocks.outbox import InboxEntry, OutboxMessage
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.config import Settings
from visionscope.features.analytics.models import ActivityCount
from visionscope.features.workspaces.events import WorkspaceRenamed

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.proc is not None:
        server.kill()


async def record(url: str, count: int) -> None:
    engine = create_engine(url)
    streams = [uuid.uuid4() for _ in range(10)]
    uow = UnitOfWork(session_factory(engine))
    async with uow:
        for n in range(count):
            uow.record(WorkspaceRenamed(workspace_id=streams[n % len(streams)]))
        await uow.commit()
    await engine.dispose()


async def figures(url: str) -> tuple[int, int, int, int]:
    """Outbox rows, rows not yet sent, events handled on analytics, activity counted."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        total = await session.scalar(select(func.count()).select_from(OutboxMessage))
        unsent = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )
        handled = await session.scalar(
            select(func.count())
            .select_from(InboxEntry)
            .where(InboxEntry.consumer == queue_marker("analytics"))
        )
        counted = await session.scalar(select(func.coalesce(func.sum(ActivityCount.count), 0)))
    await engine.dispose()
    return int(total or 0), int(unsent or 0), int(handled or 0), int(counted or 0)


async def api_while_broker_down(settings: Settings, kill_redis: Callable[[], None]) -> list[int]:
    """Statuses from the api once Redis is down: /readyz, a sign-in, a write by a signed-in user."""
    container = build_container(settings)
    app = create_app(settings, container)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://visionscope.test",
        ) as client:
            account = await register(client, "Grace")
            kill_redis()
            ready = await client.get("/readyz")
            assert str(ready.json()["checks"]["broker"]).startswith("unreachable"), ready.json()
            assert ready.json()["checks"]["database"] == "ok"
            sign_in = await client.post(
                "/v1/auth/token", data={"username": account.email, "password": PASSWORD}
            )
            created = await client.post(
                "/v1/workspaces", json={"name": "w", "tier": "free"}, headers=account.headers
            )
    finally:
        await container.dispose()
    # Sign-in attempts are counted in Redis: without it the sign-in may be refused, with 503.
    assert sign_in.status_code == 200 or (sign_in.status_code == 503 and sign_in.headers["Retry-After"])
    return [ready.status_code, created.status_code]


def test_events_in_flight_when_redis_restarts_empty_are_handled_once(
    tmp_path: Path, postgres_migrated: str, own_redis: RedisServer
) -> None:
    url = postgres_migrated
    asyncio.run(truncate_postgres(url))
    env = {
        **os.environ,
        "VISIONSCOPE_DATABASE_URL": url,
        "VISIONSCOPE_BROKER_URL": own_redis.url,
        "VISIONSCOPE_DATA_DIR": str(tmp_path / "data"),
        "VISIONSCOPE_SECRET_KEY": "resilience-" + "x" * 40,
        "VISIONSCOPE_LOG_JSON": "false",
        "VISIONSCOPE_LOG_LEVEL": "WARNING",
        "VISIONSCOPE_BROKER_CHECK_SECONDS": "1",
    }
    worker = visionscope(
        ["worker", "-Q", "analytics", "--concurrency", "1"], env, tmp_path / "worker.log", group=True
    )
    relay = visionscope(["relay"], env, tmp_path / "relay.log")
    try:
        broker = redis.Redis.from_url(own_redis.url)
        wait_for(lambda: broker.exists("visionscope:broker:mark"), "the relay to mark the broker")
        os.killpg(worker.pid, signal.SIGSTOP)  # the worker takes nothing while the events are in Redis
        asyncio.run(record(url, 200))
        wait_for(lambda: asyncio.run(figures(url))[1] == 0, "the relay to publish everything")
        # In flight: published, none handled. Most wait in the queue's list; the stopped worker's
        # last blocking read may already have taken the first message off it, and 200 events
        # can travel in that one message, leaving the list empty.
        assert asyncio.run(figures(url))[2] == 0
        settings = Settings(
            database_url=url,
            broker_url=own_redis.url,
            data_dir=tmp_path / "api",
            secret_key=env["VISIONSCOPE_SECRET_KEY"],
        )
        # /readyz says not ready, and a write is accepted: its events wait in the outbox.
        assert asyncio.run(api_while_broker_down(settings, own_redis.kill)) == [503, 201]
        asyncio.run(record(url, 100))  # more events while Redis is down: they wait in the outbox
        total, unsent, _, _ = asyncio.run(figures(url))
        assert unsent >= 100

        own_redis.start()  # empty
        restarted = time.monotonic()
        os.killpg(worker.pid, signal.SIGCONT)
        wait_for(lambda: asyncio.run(figures(url))[2] >= total, "every event handled", patience=300)
        print(f"all {total} events handled {time.monotonic() - restarted:.1f} s after Redis came back")
        broker = redis.Redis.from_url(own_redis.url)
        wait_for(lambda: broker.llen("analytics") == 0 and broker.hlen("unacked") == 0, "broker drained")
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGCONT)
        stop(relay, worker)
    total, unsent, handled, counted = asyncio.run(figures(url))
    assert unsent == 0
    assert handled == total  # each event once on the queue
    assert counted == total  # and its effect once
