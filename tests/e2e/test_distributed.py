"""The distributed form, as an operator runs it: `visionscope api`, `relay` and `worker` as
separate processes on PostgreSQL and Redis, driven over real HTTP."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import REDIS_URL, truncate_postgres
from tests.helpers import register, workspace

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def stack(tmp_path: Path, postgres_migrated: str) -> Iterator[str]:
    asyncio.run(truncate_postgres(postgres_migrated))
    assert REDIS_URL is not None
    redis.Redis.from_url(REDIS_URL).flushdb()
    port = free_port()
    env = {
        **os.environ,
        "VISIONSCOPE_DATABASE_URL": postgres_migrated,
        "VISIONSCOPE_BROKER_URL": REDIS_URL,
        "VISIONSCOPE_DATA_DIR": str(tmp_path / "data"),
        "VISIONSCOPE_SECRET_KEY": "stack-" + "x" * 40,
        "VISIONSCOPE_LOG_LEVEL": "WARNING",
    }
    commands = [
        ["api", "--port", str(port)],
        ["relay"],
        ["worker", "-Q", "analytics,notifications,billing", "--concurrency", "1"],
    ]
    logs = [(tmp_path / f"{c[0]}.log").open("wb") for c in commands]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "visionscope", *c], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        for c, log in zip(commands, logs, strict=True)
    ]
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    yield url
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    for log in logs:
        log.close()


async def test_events_from_the_api_reach_the_workers_through_the_relay(stack: str) -> None:
    async with httpx.AsyncClient(base_url=stack, timeout=30) as client:
        ready = (await client.get("/readyz")).json()
        assert ready["checks"]["broker"] == "ok"
        owner = await register(client)
        ws = await workspace(client, owner)
        await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "p"}, headers=owner.headers)
        counted: dict[str, int] = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and counted.get("ProjectCreated") != 1:
            items = (await client.get(f"/v1/workspaces/{ws['id']}/activity", headers=owner.headers)).json()
            counted = {i["event_type"]: i["count"] for i in items["items"]}
            await asyncio.sleep(0.3)
        assert counted["WorkspaceCreated"] == 1 and counted["ProjectCreated"] == 1
