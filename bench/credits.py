"""Benchmark of credit charges on PostgreSQL, against pgbench on the same server, in one run.

    export VISIONSCOPE_TEST_DATABASE_URL=postgresql+asyncpg://...
    python bench/credits.py [--clients 8] [--seconds 10]

Creates a scratch database next to the one named by the URL, migrates it and measures:

- charges per second through the HTTP API: ``POST /v1/workspaces/{id}/usage`` (one credit of
  ``chat_message``, a fresh ``Idempotency-Key`` each) sent by httpx to a ``visionscope api`` server
  that this script starts on 127.0.0.1;
- charges per second through the mediator alone (``ChargeCredits`` with a system context: the same
  validation, transaction, conditional UPDATE, usage row, statement line and outbox row, no HTTP);
- pgbench running a one-row ``UPDATE`` transaction on the same server with as many clients.

Every charge goes to the same credit pool, as every pgbench transaction goes to the same row: both
measure a hot row under contention. Prints both ratios. The scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx

from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.mediator import Context
from visionscope.config import Settings
from visionscope.features.billing.commands import ChargeCredits, TopUpCredits
from visionscope.features.identity.commands import RegisterUser
from visionscope.features.workspaces.commands import CreateWorkspace
from visionscope.migrate import upgrade

SYSTEM = Context(system=True)
SECRET = "bench-secret-" + "x" * 40
PASSWORD = "a long bench password"  # noqa: S105 (a throwaway account in a scratch database)


def scratch_url(url: str) -> tuple[str, str, str]:
    """The scratch database's SQLAlchemy URL, its plain PostgreSQL URL and its name."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_credits_bench"
    plain = parts._replace(scheme="postgresql", path="/postgres").geturl()
    return parts._replace(path=f"/{name}").geturl(), plain, name


async def recreate(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def measure(clients: int, seconds: float, one: Callable[[int], Awaitable[bool]]) -> tuple[float, int]:
    """Run ``one`` from ``clients`` loops for ``seconds``; returns successes per second and failures."""
    done = failed = 0
    counter = iter(range(10**12))
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal done, failed
        while time.perf_counter() < deadline:
            if await one(next(counter)):
                done += 1
            else:
                failed += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    return done / (time.perf_counter() - started), failed


async def prepare(container: Container) -> tuple[uuid.UUID, str]:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    user = await container.mediator.send(RegisterUser(email=email, password=PASSWORD, name="Bench"), SYSTEM)
    ws = await container.mediator.send(
        CreateWorkspace(name="bench", tier="enterprise", owner_id=user.id), SYSTEM
    )
    await container.mediator.send(
        TopUpCredits(workspace_id=ws.id, feature="chat_message", credits=1_000_000_000), SYSTEM
    )
    return ws.id, email


async def mediator_rate(container: Container, workspace_id: uuid.UUID, clients: int, seconds: float) -> float:
    async def one(n: int) -> bool:
        await container.mediator.send(
            ChargeCredits(
                workspace_id=workspace_id,
                feature="chat_message",
                quantity=1,
                idempotency_key=f"mediator-{n}",
                operation="bench",
            ),
            SYSTEM,
        )
        return True

    rate, _ = await measure(clients, seconds, one)
    return rate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def http_rate(
    env: dict[str, str], workspace_id: uuid.UUID, email: str, clients: int, seconds: float
) -> tuple[float, int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "visionscope", "api", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            for _ in range(300):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            token = (
                await client.post("/v1/auth/token", data={"username": email, "password": PASSWORD})
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            url = f"/v1/workspaces/{workspace_id}/usage"
            body = {"feature": "chat_message", "quantity": 1, "operation": "bench"}

            async def one(n: int) -> bool:
                response = await client.post(url, json=body, headers={**auth, "Idempotency-Key": f"http-{n}"})
                return response.status_code == 201

            return await measure(clients, seconds, one)
    finally:
        server.terminate()
        server.wait(timeout=30)


def pgbench_rate(plain_url: str, name: str, clients: int, seconds: float) -> float:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    if not binaries:
        raise SystemExit("pgbench not found under /usr/lib/postgresql/*/bin")
    parts = urlsplit(plain_url)
    setup = [
        "CREATE TABLE IF NOT EXISTS bench_counter (id integer PRIMARY KEY, n bigint NOT NULL)",
        "INSERT INTO bench_counter VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("UPDATE bench_counter SET n = n + 1 WHERE id = 1;\n")
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    target = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    psql = binaries[-1].replace("pgbench", "psql")
    for statement in setup:
        subprocess.run([psql, *target, "-q", "-c", statement, name], env=env, check=True)
    out = subprocess.run(
        [
            binaries[-1],
            *target,
            "-n",
            "-c",
            str(clients),
            "-j",
            str(min(clients, os.cpu_count() or 1)),
            "-T",
            str(int(seconds)),
            "-f",
            script.name,
            name,
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    Path(script.name).unlink()
    found = re.search(r"tps = ([0-9.]+)", out)
    if found is None:
        raise SystemExit(f"could not read pgbench's output:\n{out}")
    return float(found.group(1))


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in every measurement")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measurement")
    args = parser.parse_args()
    url = os.environ.get("VISIONSCOPE_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("set VISIONSCOPE_TEST_DATABASE_URL to a PostgreSQL URL (postgresql+asyncpg://...)")
    bench_url, admin_url, name = scratch_url(url)
    await recreate(admin_url, name)
    data = Path(tempfile.mkdtemp(prefix="credits-bench-"))
    try:
        await asyncio.to_thread(upgrade, bench_url)
        settings = Settings(
            database_url=bench_url, data_dir=data, secret_key=SECRET, log_level="WARNING", log_json=False
        )
        container = build_container(settings)
        try:
            workspace_id, email = await prepare(container)
            mediator = await mediator_rate(container, workspace_id, args.clients, args.seconds)
        finally:
            await container.dispose()
        env = {
            **os.environ,
            "VISIONSCOPE_DATABASE_URL": bench_url,
            "VISIONSCOPE_DATA_DIR": str(data),
            "VISIONSCOPE_SECRET_KEY": SECRET,
            "VISIONSCOPE_LOG_LEVEL": "WARNING",
            "VISIONSCOPE_LOG_JSON": "false",
        }
        http, refused = await http_rate(env, workspace_id, email, args.clients, args.seconds)
        plain_url = urlsplit(bench_url)._replace(scheme="postgresql").geturl()
        pgbench = pgbench_rate(plain_url, name, args.clients, args.seconds)
    finally:
        await recreate(admin_url, name, drop_only=True)
    print(f"clients: {args.clients}, {args.seconds:g} s per measurement, one credit pool / one row")
    print(f"pgbench one-row UPDATE:       {pgbench:10.1f} transactions/s")
    print(
        f"charges through the mediator: {mediator:10.1f} charges/s  ratio to pgbench {mediator / pgbench:.3f}"
    )
    print(f"charges through HTTP:         {http:10.1f} charges/s  ratio to pgbench {http / pgbench:.3f}")
    if refused:
        print(f"({refused} HTTP charges were not answered 201)")


if __name__ == "__main__":
    asyncio.run(main())
