"""Read-your-writes with a read replica.

Only an HTTP request may read the replica, and only while neither its client (in the last
window) nor the request itself has written: everything else reads the primary. Consumers, jobs,
the analysis runner and the command line act on what was just committed, so they never read a
replica that may not have it yet. What they commit is noted by workspace and user: a request
addressing a workspace, or from a user, changed in the background within the window reads the
primary too (a user told that a video is ready finds it ready).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from visionscope.building_blocks.messages import Actor, Event, UserActor

log = logging.getLogger("visionscope.read_your_writes")


@dataclass
class RequestReads:
    """Where the reads of one request go: the primary once its client is known to have written
    recently, once it addresses a workspace changed in the background recently, or once it
    commits; the replica until then."""

    from_primary: bool
    wrote: bool = False


_request_reads: ContextVar[RequestReads | None] = ContextVar("visionscope_request_reads", default=None)


def reads_replica() -> bool:
    """Whether a read now may go to the replica: only in a request that allows it."""
    reads = _request_reads.get()
    return reads is not None and not reads.from_primary


def note_write() -> None:
    """A transaction committed: the request in progress (if any) wrote, and reads the primary from now on."""
    reads = _request_reads.get()
    if reads is not None:
        reads.wrote = reads.from_primary = True


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

    async def recent_or_unknown(self, keys: Sequence[str]) -> bool:
        """``any_recent``, or True when Redis cannot say: then the primary is the safe read."""
        try:
            return await self.any_recent(keys)
        except Exception:
            log.warning("recent changes unknown; reading the primary", exc_info=True)
            return True

    async def note(self, keys: Sequence[str]) -> None:
        """``wrote``, logged rather than raised on failure: a change already committed stands."""
        try:
            await self.wrote(keys)
        except Exception:
            log.error("a change could not be noted; its readers may read the replica", exc_info=True)


def workspace_key(workspace_id: uuid.UUID) -> str:
    return f"workspace:{workspace_id}"


def user_key(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


def keys_of(event: Event) -> set[str]:
    """What an event changed, for readers: its workspace, and the user it is for (``user_id``)."""
    keys: set[str] = set()
    if event.workspace is not None:
        keys.add(workspace_key(event.workspace))
    user = getattr(event, "user_id", None)
    if isinstance(user, uuid.UUID):
        keys.add(user_key(user))
    return keys


class BackgroundChanges:
    """Runs after every commit with the events it recorded. A commit outside any request (a
    consumer, a job, the analysis runner) notes each workspace and user its events are about; a
    request's commits are noted under its client by ReadYourWrites."""

    def __init__(self, writers: RecentWriters) -> None:
        self._writers = writers

    async def __call__(self, events: Sequence[Event]) -> None:
        if _request_reads.get() is not None:
            return
        keys = sorted(set().union(*(keys_of(e) for e in events)))
        if not keys:
            return
        await self._writers.note(keys)


class SeesBackgroundChanges:
    """Called by the authorization behaviour once a message is allowed, with the workspace it
    addresses (if any) and its actor: if that workspace, or the signed-in user asking, changed in
    the background within the window, the request reads the primary from then on (the uploader
    finds the video ready and the notice saying so)."""

    def __init__(self, writers: RecentWriters) -> None:
        self._writers = writers

    async def __call__(self, workspace_id: uuid.UUID | None, actor: Actor | None) -> None:
        reads = _request_reads.get()
        if reads is None or reads.from_primary:
            return
        keys = [workspace_key(workspace_id)] if workspace_id is not None else []
        if isinstance(actor, UserActor):
            keys.append(user_key(actor.user_id))
        if not keys:
            return
        reads.from_primary = await self._writers.recent_or_unknown(keys)


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


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadYourWrites:
    """ASGI middleware for a read replica: a client that wrote in the last window reads the
    primary, so that it sees its own writes; other clients read the replica.

    A request of any other method than GET, HEAD and OPTIONS is meant to change something: it
    reads the primary throughout, so a revoked key, a removed collaborator or a lowered role is
    refused at once, not after the replica has caught up.

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
        reads = RequestReads(from_primary=scope.get("method") not in READ_METHODS)
        if not reads.from_primary:
            reads.from_primary = await self.writers.recent_or_unknown(keys)
        noted = False

        async def note_then_send(message: Message) -> None:
            nonlocal noted
            if message["type"] == "http.response.start" and reads.wrote and not noted:
                noted = True
                await self.writers.note(keys)
            await send(message)

        token = _request_reads.set(reads)
        try:
            await self.app(scope, receive, note_then_send)
        finally:
            _request_reads.reset(token)
            if reads.wrote and not noted:
                await self.writers.note(keys)
