"""The caching behaviour with the in-memory store, a clock the test moves and a counting handler."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from visionscope.building_blocks.caching import (
    CATALOG,
    WORKSPACE,
    CachePolicy,
    Caching,
    Invalidation,
    MemoryCache,
    result_adapter,
    workspace_tag,
)
from visionscope.building_blocks.mediator import Context, Mediator
from visionscope.building_blocks.messages import Event, Query
from visionscope.building_blocks.metrics import Metrics


class Item(BaseModel):
    name: str
    count: int


@dataclass(frozen=True, kw_only=True)
class ListItems(Query[tuple[list[Item], str | None]]):
    cache: ClassVar[CachePolicy] = CachePolicy(ttl=30, tags=(WORKSPACE,))
    workspace_id: uuid.UUID
    limit: int = 10


@dataclass(frozen=True, kw_only=True)
class GetPrices(Query[list[Item]]):
    cache: ClassVar[CachePolicy] = CachePolicy(ttl=30, tags=(CATALOG,))


@dataclass(frozen=True, kw_only=True)
class GetLive(Query[int]):
    """Not cached: no policy."""


@dataclass(frozen=True, kw_only=True)
class ItemAdded(Event):
    workspace_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class PriceChanged(Event):
    aggregate_field = "price"
    price: str = "p"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Database:
    """Stands in for the handlers' reads: counts them and answers the current data."""

    def __init__(self) -> None:
        self.reads = 0
        self.items: list[Item] = [Item(name="a", count=1)]

    async def list_items(self, message: Any, context: Context) -> tuple[list[Item], str | None]:
        self.reads += 1
        return list(self.items), None

    async def prices(self, message: Any, context: Context) -> list[Item]:
        self.reads += 1
        return list(self.items)

    async def live(self, message: Any, context: Context) -> int:
        self.reads += 1
        return self.reads


async def authorize(message: Any, call_next: Any, context: Context) -> Any:
    """What the authorization behaviour does for the cache: it sets the message's workspace."""
    if not context.system:
        context.workspace_id = getattr(message, "workspace_id", None)
    return await call_next()


def build(store: Any, metrics: Metrics, db: Database) -> Mediator:
    handlers = {ListItems: db.list_items, GetPrices: db.prices, GetLive: db.live}
    return Mediator(handlers, [authorize, Caching(store, metrics)])


def sample(metrics: Metrics, name: str, labels: dict[str, str]) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


@pytest.fixture
def parts() -> tuple[MemoryCache, Metrics, Database, Clock]:
    clock = Clock()
    return MemoryCache(clock), Metrics(), Database(), clock


async def test_a_second_read_is_answered_from_the_cache_and_counted(
    parts: tuple[MemoryCache, Metrics, Database, Clock],
) -> None:
    store, metrics, db, _ = parts
    send = build(store, metrics, db).send
    workspace = uuid.uuid4()
    first = await send(ListItems(workspace_id=workspace), Context())
    second = await send(ListItems(workspace_id=workspace), Context())
    assert first == second == ([Item(name="a", count=1)], None)
    assert db.reads == 1
    assert sample(metrics, "visionscope_cache_misses_total", {"query": "ListItems"}) == 1
    assert sample(metrics, "visionscope_cache_hits_total", {"query": "ListItems"}) == 1
    await send(ListItems(workspace_id=workspace, limit=5), Context())
    assert db.reads == 2  # other fields, another entry


async def test_events_of_a_workspace_make_only_its_entries_stale(
    parts: tuple[MemoryCache, Metrics, Database, Clock],
) -> None:
    store, metrics, db, _ = parts
    send = build(store, metrics, db).send
    invalidate = Invalidation(store, metrics, {})
    mine, other = uuid.uuid4(), uuid.uuid4()
    await send(ListItems(workspace_id=mine), Context())
    await send(ListItems(workspace_id=other), Context())
    db.items.append(Item(name="b", count=2))
    await invalidate([ItemAdded(workspace_id=mine)])
    items, _ = await send(ListItems(workspace_id=mine), Context())
    assert [i.name for i in items] == ["a", "b"]
    assert db.reads == 3
    await send(ListItems(workspace_id=other), Context())
    assert db.reads == 3  # untouched workspace: still cached


async def test_event_types_bump_their_fixed_tags(parts: tuple[MemoryCache, Metrics, Database, Clock]) -> None:
    store, metrics, db, _ = parts
    send = build(store, metrics, db).send
    invalidate = Invalidation(store, metrics, {PriceChanged: (CATALOG,)})
    await send(GetPrices(), Context())
    await invalidate([ItemAdded(workspace_id=uuid.uuid4())])
    await send(GetPrices(), Context())
    assert db.reads == 1
    await invalidate([PriceChanged()])
    await send(GetPrices(), Context())
    assert db.reads == 2


def test_the_tags_of_events() -> None:
    workspace = uuid.uuid4()
    invalidate = Invalidation(MemoryCache(), Metrics(), {PriceChanged: (CATALOG,)})
    assert invalidate.tags_of([ItemAdded(workspace_id=workspace), PriceChanged()]) == [
        CATALOG,
        workspace_tag(workspace),
    ]
    assert invalidate.tags_of([]) == []


async def test_entries_expire_after_their_ttl(parts: tuple[MemoryCache, Metrics, Database, Clock]) -> None:
    store, metrics, db, clock = parts
    send = build(store, metrics, db).send
    workspace = uuid.uuid4()
    await send(ListItems(workspace_id=workspace), Context())
    clock.now += 29
    await send(ListItems(workspace_id=workspace), Context())
    assert db.reads == 1
    clock.now += 2
    await send(ListItems(workspace_id=workspace), Context())
    assert db.reads == 2


async def test_an_unresolved_workspace_and_queries_without_a_policy_read_the_database(
    parts: tuple[MemoryCache, Metrics, Database, Clock],
) -> None:
    store, metrics, db, _ = parts
    send = build(store, metrics, db).send
    workspace = uuid.uuid4()
    for _ in range(2):
        await send(ListItems(workspace_id=workspace), Context(system=True))
    assert db.reads == 2
    assert await send(GetLive(), Context()) == 3
    assert await send(GetLive(), Context()) == 4
    await send(GetPrices(), Context(system=True))  # catalog needs no workspace: cached for the system too
    await send(GetPrices(), Context(system=True))
    assert db.reads == 5


class BrokenStore:
    async def versions(self, tags: Sequence[str]) -> list[int]:
        raise ConnectionError("cache down")

    async def bump(self, tags: Iterable[str]) -> None:
        raise ConnectionError("cache down")

    async def get(self, key: str) -> bytes | None:
        raise ConnectionError("cache down")

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        raise ConnectionError("cache down")


async def test_a_failing_cache_reads_the_database_and_counts_errors() -> None:
    metrics, db = Metrics(), Database()
    send = build(BrokenStore(), metrics, db).send
    workspace = uuid.uuid4()
    assert await send(ListItems(workspace_id=workspace), Context()) == ([Item(name="a", count=1)], None)
    await Invalidation(BrokenStore(), metrics, {})([ItemAdded(workspace_id=workspace)])
    assert db.reads == 1
    assert sample(metrics, "visionscope_cache_errors_total", {"operation": "read"}) == 1
    assert sample(metrics, "visionscope_cache_errors_total", {"operation": "invalidate"}) == 1


def test_results_round_trip_through_their_declared_type() -> None:
    adapter = result_adapter(ListItems)
    value = ([Item(name="a", count=1)], "next")
    assert adapter.validate_json(adapter.dump_json(value)) == value
    with pytest.raises(ValueError, match="ttl"):
        CachePolicy(ttl=0, tags=(CATALOG,))
    with pytest.raises(ValueError, match="tag"):
        CachePolicy(ttl=10, tags=())
