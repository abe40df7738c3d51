"""Read-your-writes with a read replica.

Only an HTTP request may read the replica, and only while neither its client (in the last
window) nor the request itself has written: everything else reads the primary. Consumers, jobs,
the analysis runner and the command line act on what was just committed, so they never read a
replica that may not have it yet.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("visionscope.read_your_writes")


@dataclass
class RequestReads:
    """Where the reads of one request go: the replica only if its client wrote nothing recently
    and the request has not committed anything yet."""

    client_wrote_recently: bool
    wrote: bool = False

    @property
    def from_replica(self) -> bool:
        return not self.client_wrote_recently and not self.wrote


_request_reads: ContextVar[RequestReads | None] = ContextVar("visionscope_request_reads", default=None)


def reads_replica() -> bool:
    """Whether a read now may go to the replica: only in a request that allows it."""
    reads = _request_reads.get()
    return reads is not None and reads.from_replica


def note_write() -> None:
    """A transaction committed: the request in progress (if any) wrote, and reads the primary from now on."""
    reads = _request_reads.get()
    if reads is not None:
        reads.wrote = True


class RoutedReads(async_sessionmaker[AsyncSession]):
    """Read sessions on the replica where ``reads_replica()`` allows it, on the primary otherwise."""

    def __init__(self, replica: AsyncEngine, primary: AsyncEngine) -> None:
        super().__init__(replica, expire_on_commit=False, autoflush=False)
        self._primary = primary

    def __call__(self, **local_kw: Any) -> AsyncSession:
        if not reads_replica():
            local_kw.setdefault("bind", self._primary)
        return super().__call__(**local_kw)


class RecentWriters:
    """Clients that wrote in the last ``window`` seconds, kept in Redis (shared by every api
    instance) or in memory. A client is known by keys: each credential it presented and its address."""

    def __init__(self, redis: Any, window: float) -> None:
        self._redis = redis
        self._window = window
        self._memory: dict[str, float] = {}

    async def wrote(self, keys: Sequence[str]) -> None:
        if self._redis is None:
            until = time.monotonic() + self._window
            self._memory.update((key, until) for key in keys)
            return
        pipe = self._redis.pipeline()
        for key in keys:
            pipe.set(f"visionscope:wrote:{key}", "1", px=int(self._window * 1000))
        await pipe.execute()

    async def any_recent(self, keys: Sequence[str]) -> bool:
        if self._redis is None:
            now = time.monotonic()
            return any(self._memory.get(key, 0.0) > now for key in keys)
        return bool(await self._redis.exists(*(f"visionscope:wrote:{key}" for key in keys)))


def client_keys(scope: Scope) -> list[str]:
    """Who is asking: a digest of each credential presented (bearer token, API key, cookies),
    and the client's address (which also covers a sign-up followed by a sign-in)."""
    headers = dict(scope.get("headers") or [])
    keys = [
        name.decode() + ":" + hashlib.sha256(headers[name]).hexdigest()[:32]
        for name in (b"authorization", b"x-api-key", b"cookie")
        if name in headers
    ]
    client = scope.get("client")
    if client:
        keys.append(f"address:{client[0]}")
    return keys


class ReadYourWrites:
    """ASGI middleware for a read replica: a client that wrote in the last window reads the
    primary, so that it sees its own writes; other clients read the replica.

    A request that commits is noted before its response starts, so the client's next request,
    which may leave as soon as the response arrives, already reads the primary; a commit made
    while a response streams is noted when the request ends.
    """

    def __init__(self, app: ASGIApp, writers: RecentWriters) -> None:
        self.app = app
        self.writers = writers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        keys = client_keys(scope)
        try:
            recent = await self.writers.any_recent(keys)
        except Exception:
            log.warning("recent writers unknown; reading the primary", exc_info=True)
            recent = True
        reads = RequestReads(client_wrote_recently=recent)
        noted = False

        async def note_then_send(message: Message) -> None:
            nonlocal noted
            if message["type"] == "http.response.start" and reads.wrote and not noted:
                noted = True
                await self._note(keys)
            await send(message)

        token = _request_reads.set(reads)
        try:
            await self.app(scope, receive, note_then_send)
        finally:
            _request_reads.reset(token)
            if reads.wrote and not noted:
                await self._note(keys)

    async def _note(self, keys: Sequence[str]) -> None:
        try:
            await self.writers.wrote(keys)
        except Exception:
            log.error("a write could not be noted; the client may read the replica", exc_info=True)
