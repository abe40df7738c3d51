"""Outbox benchmark: events relayed and handled per second, and commit-to-handled latency,
on PostgreSQL + Redis with a real relay process and Celery worker, against a plain Redis
push and pop of the same payloads measured in the same run.

    VISIONSCOPE_TEST_DATABASE_URL=postgresql+asyncpg://... VISIONSCOPE_TEST_REDIS_URL=redis://... \\
        .venv/bin/python bench/outbox.py [--events 2000] [--runs 3] [--rate 500] [--seconds 6] [--redis-db 15]

It first waits until an event goes all the way through (the worker and relay processes have
started), then measures:
- throughput, ``--runs`` times: every event committed (50 to a transaction) as fast as possible,
  until all are handled; compared with pushing and popping the same payloads on a plain Redis
  list right after each run;
- paced: one event a transaction at ``--rate`` events a second for ``--seconds``, reporting
  commit-to-handled latency (p50, p99) from the outbox row's time to the queue marker's;
- slow: the same one event a transaction, 50 a second (latency when idle).

It creates (and afterwards drops) a database of its own on the same server, and empties the
Redis database ``--redis-db`` of the given server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from visionscope.bootstrap import build_container
from visionscope.building_blocks.consumers import queue_marker
from visionscope.building_blocks.outbox import InboxEntry, OutboxMessage, event_payload
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.config import Settings
from visionscope.features.workspaces.events import WorkspaceRenamed
from visionscope.migrate import upgrade

BENCH_REDIS_DB = 15


def make_redis_url(url: str, db: int) -> str:
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    return f"{base}/{db}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


def redis_anchor(url: str, payloads: list[str]) -> float:
    """Seconds to push every payload to a Redis list and pop it again, one command each."""
    client = redis.Redis.from_url(url)
    key = f"bench:{uuid.uuid4().hex}"
    started = time.perf_counter()
    for payload in payloads:
        client.rpush(key, payload)
    for _ in payloads:
        client.blpop([key], timeout=10)
    elapsed = time.perf_counter() - started
    client.delete(key)
    return elapsed


async def handled_count(container: object, since_position: int) -> int:
    async with container.read_sessions() as session:  # type: ignore[attr-defined]
        count = await session.scalar(
            select(func.count())
            .select_from(InboxEntry)
            .join(OutboxMessage, OutboxMessage.event_id == InboxEntry.event_id)
            .where(InboxEntry.consumer == queue_marker("analytics"), OutboxMessage.position > since_position)
        )
    return int(count or 0)


async def last_position(container: object) -> int:
    async with container.read_sessions() as session:  # type: ignore[attr-defined]
        return int(await session.scalar(select(func.max(OutboxMessage.position))) or 0)


async def went_through(container: object, limit: float) -> None:
    """Wait until one event is handled: the relay and the worker have started and connected."""
    last = await last_position(container)
    uow = UnitOfWork(container.sessions)  # type: ignore[attr-defined]
    async with uow:
        uow.record(WorkspaceRenamed(workspace_id=uuid.uuid4()))
        await uow.commit()
    started = time.perf_counter()
    while await handled_count(container, last) < 1:
        if time.perf_counter() - started > limit:
            raise RuntimeError(f"no event was handled within {limit:.0f} s: is the worker running?")
        await asyncio.sleep(0.1)
    print(f"first event handled {time.perf_counter() - started:.1f} s after the processes started")


async def throughput_run(container: object, run_number: int, events: int, redis_url: str) -> None:
    """Commit ``events`` events (50 to a transaction) and wait until all are handled; then push
    and pop the same payloads on plain Redis."""
    last = await last_position(container)
    sample = [WorkspaceRenamed(workspace_id=uuid.uuid4()) for _ in range(events)]
    started = time.perf_counter()
    for chunk in range(0, events, 50):
        uow = UnitOfWork(container.sessions)  # type: ignore[attr-defined]
        async with uow:
            for event in sample[chunk : chunk + 50]:
                uow.record(event)
            await uow.commit()
    committed_seconds = time.perf_counter() - started
    while await handled_count(container, last) < events:
        await asyncio.sleep(0.02)
    throughput_seconds = time.perf_counter() - started
    payloads = [json.dumps(event_payload(e)) for e in sample]
    anchor_seconds = redis_anchor(redis_url, payloads)
    ours = events / throughput_seconds
    plain = events / anchor_seconds
    print(f"throughput, run {run_number}: {events} events committed 50 to a transaction")
    print(f"  committing alone: {events / committed_seconds:,.0f} events/s")
    print(f"  outbox -> relay -> Celery -> handler: {ours:,.0f} events/s")
    print(f"  plain Redis push+pop of the same payloads: {plain:,.0f} payloads/s")
    print(f"  outbox rate / plain Redis rate: {100 * ours / plain:.0f} %")


async def commit_paced(container: object, rate: float, seconds: float) -> tuple[int, float]:
    """Commit one event a transaction at ``rate`` a second; returns the last position before and
    the rate achieved. Several committers share the schedule, so one slow commit delays nothing."""
    sessions = container.sessions  # type: ignore[attr-defined]
    last = await last_position(container)
    total = int(rate * seconds)
    slots = iter(range(total))
    started = time.perf_counter()

    async def committer() -> None:
        for slot in slots:
            delay = started + slot / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            uow = UnitOfWork(sessions)
            async with uow:
                uow.record(WorkspaceRenamed(workspace_id=uuid.uuid4()))
                await uow.commit()

    await asyncio.gather(*(committer() for _ in range(16)))
    return last, total / (time.perf_counter() - started)


async def latencies_after(container: object, last: int, expected: int) -> tuple[list[float], list[float]]:
    """Milliseconds from each event's outbox row to its queue marker, once all are handled; and
    of these, the milliseconds until the relay marked it sent."""
    while await handled_count(container, last) < expected:
        await asyncio.sleep(0.05)
    async with container.read_sessions() as session:  # type: ignore[attr-defined]
        rows = (
            await session.execute(
                select(OutboxMessage.created_at, OutboxMessage.sent_at, InboxEntry.handled_at)
                .join(InboxEntry, InboxEntry.event_id == OutboxMessage.event_id)
                .where(InboxEntry.consumer == queue_marker("analytics"), OutboxMessage.position > last)
            )
        ).all()
    handled = [(handled - created).total_seconds() * 1000 for created, _, handled in rows]
    relayed = [(sent - created).total_seconds() * 1000 for created, sent, _ in rows]
    return handled, relayed


def describe(latencies: list[float]) -> str:
    return (
        f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
        f"mean {statistics.mean(latencies):.1f} ms"
    )


def describe_both(latencies: tuple[list[float], list[float]]) -> str:
    handled, relayed = latencies
    return (
        f"{describe(handled)}\n    of which commit-to-relayed p50 {percentile(relayed, 0.5):.1f} ms, "
        f"p99 {percentile(relayed, 0.99):.1f} ms"
    )


async def run(
    events: int, runs: int, rate: float, seconds: float, base_url: str, given_redis_url: str, redis_db: int
) -> None:
    # A database number of its own, so that the benchmark never touches other work on the server.
    redis_url = str(make_redis_url(given_redis_url, redis_db))
    name = f"visionscope_bench_{os.getpid()}"
    server = make_url(base_url)
    await admin(
        server.set(database="postgres").render_as_string(hide_password=False), f'CREATE DATABASE "{name}"'
    )
    url = server.set(database=name).render_as_string(hide_password=False)
    data_dir = Path(tempfile.mkdtemp(prefix="visionscope-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        await asyncio.to_thread(upgrade, url)
        redis.Redis.from_url(redis_url).flushdb()
        env = {
            **os.environ,
            "VISIONSCOPE_DATABASE_URL": url,
            "VISIONSCOPE_BROKER_URL": redis_url,
            "VISIONSCOPE_DATA_DIR": str(data_dir),
            "VISIONSCOPE_SECRET_KEY": "bench-" + "x" * 40,
            "VISIONSCOPE_LOG_LEVEL": "WARNING",
        }
        settings = Settings(
            database_url=url,
            broker_url=redis_url,
            data_dir=data_dir,
            secret_key=env["VISIONSCOPE_SECRET_KEY"],
        )
        container = build_container(settings)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "visionscope", "worker", "-Q", "analytics", "--concurrency", "2"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "visionscope", "relay"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        await went_through(container, 300.0)

        for run_number in range(1, runs + 1):
            await throughput_run(container, run_number, events, redis_url)

        # Latency under load: one event a transaction at the given pace.
        last, achieved = await commit_paced(container, rate, seconds)
        loaded = await latencies_after(container, last, int(rate * seconds))
        # Latency when idle: the same at 50 events a second.
        last, _ = await commit_paced(container, 50, 2)
        idle = await latencies_after(container, last, 100)
        await container.dispose()

        print(f"paced: {int(rate * seconds)} events, one a transaction, at {achieved:,.0f} events/s")
        print(f"  commit-to-handled latency: {describe_both(loaded)}")
        print(f"idle: 100 events at 50 events/s: commit-to-handled latency {describe_both(idle)}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        await admin(
            server.set(database="postgres").render_as_string(hide_password=False),
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=2000, help="events in each throughput run")
    parser.add_argument("--runs", type=int, default=3, help="throughput runs")
    parser.add_argument("--rate", type=float, default=500.0, help="events a second in the paced run")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of the paced run")
    parser.add_argument("--redis-db", type=int, default=BENCH_REDIS_DB)
    parser.add_argument("--database-url", default=os.environ.get("VISIONSCOPE_TEST_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("VISIONSCOPE_TEST_REDIS_URL"))
    args = parser.parse_args()
    if not args.database_url or not args.redis_url:
        parser.error(
            "set VISIONSCOPE_TEST_DATABASE_URL and VISIONSCOPE_TEST_REDIS_URL (PostgreSQL and Redis)"
        )
    asyncio.run(
        run(args.events, args.runs, args.rate, args.seconds, args.database_url, args.redis_url, args.redis_db)
    )


if __name__ == "__main__":
    main()
