"""Query caching: results kept in Redis (or in memory when embedded), made stale by committed events.

A query opts in with a class attribute ``cache: ClassVar[CachePolicy]``. Its cache key holds the
current version of each tag the policy names; a commit whose events touch a tag bumps that tag's
version before the command returns, so the writer's next read misses and reads the database.
Entries under an old version are never read again and expire with their TTL.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, get_args, get_origin

from pydantic import TypeAdapter

from visionscope.building_blocks.mediator import CallNext, Context, Message
from visionscope.building_blocks.messages import Event, Query
from visionscope.building_blocks.metrics import Metrics
from visionscope.building_blocks.read_your_writes import reads_replica

log = logging.getLogger("visionscope.cache")

WORKSPACE = "workspace"  # resolved to ``workspace:<id>`` from the workspace the authorization found
CATALOG = "catalog"  # the pricing catalog: tiers, features and what each tier offers
MAX_TTL_SECONDS = 3600
VERSION_TTL_SECONDS = 7 * 24 * 3600  # far longer than any entry lives, so a lost version finds no entry


@dataclass(frozen=True)
class CachePolicy:
    """How long a query's results are kept, and which tags' changes make them stale.

    Only for queries whose result depends on nothing but their own fields and data that changes
    only in transactions recording events carrying those tags (a workspace id, or a catalog event).
    """

    ttl: int
    tags: tuple[str, ...]

    def __post_init__(self) -> None:
        if not 0 < self.ttl <= MAX_TTL_SECONDS:
            raise ValueError(f"a cache ttl is between 1 and {MAX_TTL_SECONDS} seconds")
        if not self.tags:
            raise ValueError("a cache policy names at least one tag")


def workspace_tag(workspace_id: uuid.UUID) -> str:
    return f"{WORKSPACE}:{workspace_id}"


class CacheStore(Protocol):
    async def versions(self, tags: Sequence[str]) -> list[int]:
        """The current version of each tag (0 for a tag never bumped)."""
        ...

    async def bump(self, tags: Iterable[str]) -> None:
        """Make every entry cached under the current versions of ``tags`` stale."""
        ...

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: int) -> None: ...


class MemoryCache:
    """For one process (embedded mode): entries and versions in dicts."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[str, tuple[float, bytes]] = {}
        self._versions: dict[str, int] = {}

    async def versions(self, tags: Sequence[str]) -> list[int]:
        return [self._versions.get(tag, 0) for tag in tags]

    async def bump(self, tags: Iterable[str]) -> None:
        for tag in tags:
            self._versions[tag] = self._versions.get(tag, 0) + 1

    async def get(self, key: str) -> bytes | None:
        found = self._entries.get(key)
        if found is None:
            return None
        expires, value = found
        if expires <= self._clock():
            del self._entries[key]
            return None
        return value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        now = self._clock()
        if len(self._entries) >= self._max_entries:
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
        self._entries[key] = (now + ttl, value)


class RedisCache:
    """Shared by every api instance and worker: versions are counters, entries expire by themselves."""

    def __init__(self, client: Any, prefix: str = "visionscope:cache") -> None:
        self._client = client
        self._prefix = prefix

    def _version_key(self, tag: str) -> str:
        return f"{self._prefix}:version:{tag}"

    async def versions(self, tags: Sequence[str]) -> list[int]:
        found = await self._client.mget([self._version_key(tag) for tag in tags])
        return [int(v) if v is not None else 0 for v in found]

    async def bump(self, tags: Iterable[str]) -> None:
        pipe = self._client.pipeline()
        for tag in tags:
            pipe.incr(self._version_key(tag))
            pipe.expire(self._version_key(tag), VERSION_TTL_SECONDS)
        await pipe.execute()

    async def get(self, key: str) -> bytes | None:
        found: bytes | None = await self._client.get(f"{self._prefix}:entry:{key}")
        return found

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        await self._client.set(f"{self._prefix}:entry:{key}", value, ex=ttl)


_RESULT_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def result_adapter(query_type: type) -> TypeAdapter[Any]:
    """Reads and writes the result type ``R`` that a ``Query[R]`` subclass declares."""
    adapter = _RESULT_ADAPTERS.get(query_type)
    if adapter is None:
        for klass in query_type.__mro__:
            for base in getattr(klass, "__orig_bases__", ()):
                if get_origin(base) is Query:
                    adapter = TypeAdapter(get_args(base)[0])
                    break
            if adapter is not None:
                break
        if adapter is None:
            raise TypeError(f"{query_type.__name__} does not declare its result type as Query[...]")
        _RESULT_ADAPTERS[query_type] = adapter
    return adapter


def _fields_digest(message: Message) -> str:
    values = dataclasses.asdict(message)
    encoded = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]


class Caching:
    """Mediator behaviour for queries with a ``cache`` policy; goes after authorization.

    A tag that cannot be resolved (a system context knows no workspace) reads the database.
    A cache that fails to answer also reads the database: the cache only ever saves work.
    """

    def __init__(self, store: CacheStore, metrics: Metrics) -> None:
        self._store = store
        self._metrics = metrics

    async def __call__(self, message: Message, call_next: CallNext, context: Context) -> Any:
        policy = getattr(type(message), "cache", None)
        if not isinstance(policy, CachePolicy) or not isinstance(message, Query):
            return await call_next()
        tags = _resolve(policy.tags, context)
        if tags is None:
            return await call_next()
        name = type(message).__name__
        adapter = result_adapter(type(message))
        try:
            versions = await self._store.versions(tags)
            # What was read on a lagging replica is never served to a client that reads the primary.
            source = "r" if reads_replica() else "p"
            key = f"{name}:{'.'.join(map(str, versions))}:{source}:{_fields_digest(message)}"
            cached = await self._store.get(key)
        except Exception:
            log.warning("cache read failed; reading the database", exc_info=True)
            self._metrics.cache_errors.labels("read").inc()
            return await call_next()
        if cached is not None:
            self._metrics.cache_hits.labels(name).inc()
            return adapter.validate_json(cached)
        self._metrics.cache_misses.labels(name).inc()
        result = await call_next()
        try:
            await self._store.set(key, adapter.dump_json(result), policy.ttl)
        except Exception:
            log.warning("cache write failed", exc_info=True)
            self._metrics.cache_errors.labels("write").inc()
        return result


def _resolve(tags: Sequence[str], context: Context) -> list[str] | None:
    resolved: list[str] = []
    for tag in tags:
        if tag == WORKSPACE:
            if context.workspace_id is None:
                return None
            resolved.append(workspace_tag(context.workspace_id))
        else:
            resolved.append(tag)
    return resolved


class Invalidation:
    """Runs after every commit with the events it recorded: bumps the tags those events touch.

    An event carrying a workspace id touches that workspace's tag; ``tags_by_type`` adds fixed tags
    for event types (catalog events touch ``catalog``).
    """

    def __init__(
        self, store: CacheStore, metrics: Metrics, tags_by_type: Mapping[type[Event], tuple[str, ...]]
    ) -> None:
        self._store = store
        self._metrics = metrics
        self._tags_by_type = dict(tags_by_type)

    def tags_of(self, events: Iterable[Event]) -> list[str]:
        tags: set[str] = set()
        for event in events:
            if event.workspace is not None:
                tags.add(workspace_tag(event.workspace))
            tags.update(self._tags_by_type.get(type(event), ()))
        return sorted(tags)

    async def __call__(self, events: Sequence[Event]) -> None:
        tags = self.tags_of(events)
        if not tags:
            return
        try:
            await self._store.bump(tags)
        except Exception:
            # The commit stands; entries under the old versions live at most their TTL.
            log.error("cache invalidation failed", exc_info=True, extra={"tags": tags})
            self._metrics.cache_errors.labels("invalidate").inc()
