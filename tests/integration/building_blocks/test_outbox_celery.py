"""The outbox guarantees with real processes: PostgreSQL, Redis, Celery workers and relays that die.

- a relay killed after the commit but before publishing loses no event;
- a relay killed after publishing but before marking sent causes no second effect;
- with two relays and two worker processes, events of one aggregate are handled in order.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from tests.conftest import PG_URL, REDIS_URL, truncate_postgres
from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.consumers import queue_marker
from visionscope.building_blocks.mediator import Context
from visionscope.building_blocks.outbox import InboxEntry, OutboxMessage
from visionscope.config import Settings
from visionscope.features.identity.commands import RegisterUser
from visionscope.features.workspaces.commands import CreateWorkspace, RenameWorkspace

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
HERE = Path(__file__).parent
SYSTEM = Context(system=True)


@pytest.fixture
def env(tmp_path: Path, postgres_migrated: str) -> dict[str, str]:
    asyncio.run(truncate_postgres(postgres_migrated))
    assert REDIS_URL is not None
    redis.Redis.from_url(REDIS_URL).flushdb()
    return {
        **os.environ,
        "VISIONSCOPE_DATABASE_URL": postgres_migrated,
        "VISIONSCOPE_BROKER_URL": REDIS_URL,
        "VISIONSCOPE_DATA_DIR": str(tmp_path / "data"),
        "VISIONSCOPE_SECRET_KEY": "celery-test-secret-" + "x" * 30,
        "VISIONSCOPE_LOG_JSON": "false",
        "VISIONSCOPE_LOG_LEVEL": "WARNING",
        "VISIONSCOPE_CONSUMER_RETRY_BASE_SECONDS": "0.2",
    }


@pytest.fixture
async def pg(env: dict[str, str]) -> AsyncIterator[Container]:
    assert PG_URL is not None
    built = build_container(
        Settings(
            database_url=PG_URL,
            data_dir=Path(env["VISIONSCOPE_DATA_DIR"]),
            secret_key=env["VISIONSCOPE_SECRET_KEY"],
        )
    )
    yield built
    await built.dispose()


@pytest.fixture
def worker(env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    log = (tmp_path / "worker.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "visionscope", "worker", "-Q", "analytics", "--concurrency", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def start_relay(env: dict[str, str], mode: str, batch: int = 200) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(HERE / "relay_process.py"), mode],
        env={**env, "VISIONSCOPE_OUTBOX_BATCH_SIZE": str(batch)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=120)
    return proc.returncode, out.decode()


def relay(env: dict[str, str], mode: str) -> int:
    return finish(start_relay(env, mode))[0]


async def make_events(pg: Container, renames: int = 0) -> uuid.UUID:
    user = await pg.mediator.send(
        RegisterUser(email=f"{uuid.uuid4().hex[:8]}@example.com", password="a long password", name="U"),
        SYSTEM,
    )
    ws = await pg.mediator.send(CreateWorkspace(name="w", tier="free", owner_id=user.id), SYSTEM)
    for n in range(renames):
        await pg.mediator.send(RenameWorkspace(workspace_id=ws.id, name=f"name {n}"), SYSTEM)
    return ws.id


async def counts(pg: Container) -> tuple[int, int, int]:
    """Outbox rows, rows not yet sent, events fully handled on the analytics queue."""
    async with pg.read_sessions() as session:
        total = await session.scalar(select(func.count()).select_from(OutboxMessage))
        unsent = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )
        handled = await session.scalar(
            select(func.count())
            .select_from(InboxEntry)
            .where(InboxEntry.consumer == queue_marker("analytics"))
        )
    return int(total or 0), int(unsent or 0), int(handled or 0)


async def wait_until_handled(pg: Container, expected: int, patience: float = 120.0) -> None:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if (await counts(pg))[2] >= expected:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"only {(await counts(pg))[2]} of {expected} events were handled")


async def wait_for_broker_drained(url: str, patience: float = 60.0) -> None:
    """Wait until no message waits in the queue and none is being worked on (acknowledged late)."""
    broker = redis.Redis.from_url(url)
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if broker.llen("analytics") == 0 and broker.hlen("unacked") == 0:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the broker still holds analytics messages")


async def effects(pg: Container) -> int:
    """Rows the analytics handler wrote: one inbox claim per handled event, never two."""
    async with pg.read_sessions() as session:
        claims = await session.scalar(
            select(func.count())
            .select_from(InboxEntry)
            .where(InboxEntry.consumer == "analytics.count_activity")
        )
        from visionscope.features.analytics.models import ActivityCount

        counted = await session.scalar(select(func.coalesce(func.sum(ActivityCount.count), 0)))
    assert claims == counted
    return int(counted or 0)


async def test_a_relay_killed_before_publishing_loses_nothing(
    env: dict[str, str], pg: Container, worker: subprocess.Popen[bytes]
) -> None:
    await make_events(pg)
    total, unsent, _ = await counts(pg)
    assert total == unsent == 2  # UserRegistered, WorkspaceCreated
    assert relay(env, "crash-before-publish") == -9
    assert (await counts(pg))[1] == 2  # still unsent: its transaction died with it
    assert relay(env, "normal") == 0
    await wait_until_handled(pg, 2)
    assert await effects(pg) == 2


async def test_a_relay_killed_after_publishing_causes_no_second_effect(
    env: dict[str, str], pg: Container, worker: subprocess.Popen[bytes]
) -> None:
    await make_events(pg)
    assert relay(env, "crash-after-publish") == -9
    assert (await counts(pg))[1] == 2  # published, but never marked sent
    await wait_until_handled(pg, 2)
    assert relay(env, "normal") == 0  # publishes both a second time
    assert (await counts(pg))[1] == 0
    await wait_for_broker_drained(env["VISIONSCOPE_BROKER_URL"])  # the second deliveries were consumed
    assert await effects(pg) == 2


async def test_two_relays_and_two_workers_keep_each_aggregates_order(
    env: dict[str, str], pg: Container, worker: subprocess.Popen[bytes]
) -> None:
    aggregates = [await make_events(pg, renames=25) for _ in range(3)]
    total, unsent, _ = await counts(pg)
    assert unsent == total == 3 * 27
    both = [start_relay(env, "normal", batch=7), start_relay(env, "normal", batch=7)]
    results = [finish(p) for p in both]
    assert all(code == 0 and "relayed" in out for code, out in results), results
    await wait_until_handled(pg, total)
    async with pg.read_sessions() as session:
        for aggregate in aggregates:
            recorded = list(
                await session.scalars(
                    select(OutboxMessage.event_id)
                    .where(OutboxMessage.aggregate_id == str(aggregate))
                    .order_by(OutboxMessage.position)
                )
            )
            handled = list(
                await session.scalars(
                    select(InboxEntry.event_id)
                    .join(OutboxMessage, OutboxMessage.event_id == InboxEntry.event_id)
                    .where(
                        InboxEntry.consumer == queue_marker("analytics"),
                        OutboxMessage.aggregate_id == str(aggregate),
                    )
                    .order_by(InboxEntry.id)
                )
            )
            assert handled == recorded
    assert await effects(pg) == total
