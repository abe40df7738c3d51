"""PostgreSQL restarted under load: requests meanwhile answer 503 with Retry-After (never 500,
never a hang), nothing is half-written, and the api, the relay and the worker carry on afterwards
without being restarted.

Real processes: a PostgreSQL cluster of the test's own (stopped and started again), Redis, a
relay and a Celery worker; the api runs in the test's process.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import func, select

from tests.conftest import REDIS_URL
from tests.helpers import register
from tests.resilience.processes import PostgresServer, postgres_server, stop, visionscope, wait_for
from visionscope.app import create_app
from visionscope.bootstrap import build_container
from visionscope.building_blocks.consumers import queue_marker
from visionscope.building_blocks.db import create_engine, session_factory
from visionscope.building_blocks.outbox import InboxEntry, OutboxMessage
from visionscope.config import Settings
from visionscope.features.workspaces.models import Workspace
from visionscope.migrate import upgrade

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def figures(url: str) -> tuple[int, int, int]:
    """Workspaces, outbox rows, and events handled on the analytics queue."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        workspaces = await session.scalar(select(func.count()).select_from(Workspace))
        events = await session.scalar(select(func.count()).select_from(OutboxMessage))
        handled = await session.scalar(
            select(func.count())
            .select_from(InboxEntry)
            .where(InboxEntry.consumer == queue_marker("analytics"))
        )
    await engine.dispose()
    return int(workspaces or 0), int(events or 0), int(handled or 0)


async def through_a_restart(settings: Settings, server: PostgresServer) -> dict[str, object]:
    """Create workspaces without pause while the database stops and starts again."""
    container = build_container(settings)
    app = create_app(settings, container)
    statuses: list[tuple[float, int, str | None]] = []
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://visionscope.test",
        ) as client:
            account = await register(client, "Linus")
            done = asyncio.Event()

            async def load() -> None:
                while not done.is_set():
                    response = await client.post(
                        "/v1/workspaces", json={"name": "w", "tier": "free"}, headers=account.headers
                    )
                    statuses.append(
                        (time.monotonic(), response.status_code, response.headers.get("Retry-After"))
                    )
                    await asyncio.sleep(0.05)

            writer = asyncio.create_task(load())
            await asyncio.sleep(1.0)
            await asyncio.to_thread(server.stop)
            stopped = time.monotonic()
            await asyncio.sleep(3.0)
            down_ready = await client.get("/readyz")
            down_me = await client.get("/v1/me", headers=account.headers)
            # The database accepts connections before pg_ctl returns, so "down" ends when the
            # start is asked for, not when it is reported.
            starting = time.monotonic()
            await asyncio.to_thread(server.start)
            started = time.monotonic()
            await asyncio.sleep(3.0)
            done.set()
            await writer
            after = await client.post(
                "/v1/workspaces", json={"name": "after", "tier": "free"}, headers=account.headers
            )
    finally:
        await container.dispose()
    return {
        "statuses": statuses,
        "stopped": stopped,
        "starting": starting,
        "started": started,
        "down_ready": down_ready.status_code,
        "down_me": (down_me.status_code, down_me.headers.get("Retry-After")),
        "after": after.status_code,
    }


def test_requests_get_503_while_the_database_restarts_and_everything_recovers(tmp_path: Path) -> None:
    assert REDIS_URL is not None
    redis.Redis.from_url(REDIS_URL).flushdb()
    with postgres_server() as server:
        upgrade(server.url)
        env = {
            **os.environ,
            "VISIONSCOPE_DATABASE_URL": server.url,
            "VISIONSCOPE_BROKER_URL": REDIS_URL,
            "VISIONSCOPE_DATA_DIR": str(tmp_path / "data"),
            "VISIONSCOPE_SECRET_KEY": "resilience-" + "x" * 40,
            "VISIONSCOPE_LOG_JSON": "false",
            "VISIONSCOPE_LOG_LEVEL": "WARNING",
        }
        worker = visionscope(
            ["worker", "-Q", "analytics", "--concurrency", "1"], env, tmp_path / "worker.log"
        )
        relay = visionscope(["relay"], env, tmp_path / "relay.log")
        try:
            settings = Settings(
                database_url=server.url,
                broker_url=REDIS_URL,
                data_dir=tmp_path / "api",
                secret_key=env["VISIONSCOPE_SECRET_KEY"],
            )
            seen = asyncio.run(through_a_restart(settings, server))
            workspaces, events, _ = asyncio.run(figures(server.url))
            # Every event, including those written after the restart, is relayed and handled
            # by the same relay and worker processes.
            wait_for(
                lambda: asyncio.run(figures(server.url))[2] >= events, "every event handled", patience=300
            )
            assert relay.poll() is None and worker.poll() is None
        finally:
            stop(relay, worker)
    statuses = seen["statuses"]
    assert isinstance(statuses, list)
    codes = {code for _, code, _ in statuses}
    assert codes <= {201, 503}, codes  # never a 500
    while_down = [(code, retry) for at, code, retry in statuses if seen["stopped"] < at < seen["starting"]]  # type: ignore[operator]
    assert while_down and all(code == 503 and retry for code, retry in while_down)
    assert seen["down_ready"] == 503
    assert seen["down_me"][0] == 503 and seen["down_me"][1]  # type: ignore[index]
    assert statuses[-1][1] == 201 and seen["after"] == 201  # full service, no restart
    # Nothing half-written: a workspace for each 201, none for a 503.
    assert workspaces == sum(1 for _, code, _ in statuses if code == 201) + 1
