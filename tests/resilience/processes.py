"""Real processes for the resilience tests: relays and workers, and Redis and PostgreSQL servers of
their own that a test may kill and start again (never the servers other tests share)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import redis

HERE = Path(__file__).parent
RELAY_PROCESS = HERE.parent / "integration" / "building_blocks" / "relay_process.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: list[str], env: dict[str, str], log: Path, *, group: bool = False) -> subprocess.Popen[bytes]:
    """Start a process writing to ``log``; ``group``: in a process group of its own (to pause it whole)."""
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=group)


def visionscope(
    command: list[str], env: dict[str, str], log: Path, *, group: bool = False
) -> subprocess.Popen[bytes]:
    return start([sys.executable, "-m", "visionscope", *command], env, log, group=group)


def stop(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(check: object, what: str, patience: float = 120.0, every: float = 0.2) -> None:
    """Poll ``check()`` until it is true; fails after ``patience`` seconds (a safety net, not a target)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(every)
    raise AssertionError(f"gave up waiting: {what}")


class RedisServer:
    """A redis-server of the test's own, without persistence: a restart brings it back empty."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.work = work
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is not installed"
        self.proc = start(
            [binary, "--port", str(self.port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
            dict(os.environ),
            self.work / "redis.log",
        )
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _pings(client), "redis-server to start", patience=30)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()
        self.proc = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


PG_BIN = Path(os.environ.get("VISIONSCOPE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PostgresServer:
    """A PostgreSQL cluster of the test's own in a temporary directory, run as the postgres user
    when the tests run as root (as under CI)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="visionscope-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def replica_of(self, primary: PostgresServer, apply_delay: str) -> None:
        """Make this cluster a streaming replica of ``primary`` (pg_basebackup) that applies
        what the primary commits ``apply_delay`` late."""
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run(
            str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(self.data), "-R", "-X", "stream",
        )  # fmt: skip
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {self.port}\nrecovery_min_apply_delay = '{apply_delay}'\n")

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth", "trust", "-N")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n")
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")

    def start(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.remove()
