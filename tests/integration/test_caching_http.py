"""Cached queries through HTTP: a read right after a write sees the write, in memory and in Redis."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from tests.billing_support import SYSTEM, feature_spec, offer, packaged, restore_catalog
from tests.conftest import REDIS_URL, truncate_postgres
from tests.helpers import Account, add_member, register, workspace
from visionscope.app import create_app
from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.caching import MemoryCache, RedisCache
from visionscope.building_blocks.consumers import Subscription, Subscriptions
from visionscope.building_blocks.db import utcnow
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.outbox import OutboxMessage, envelope_of
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.config import Settings
from visionscope.features.billing.commands import LoadCatalog
from visionscope.features.billing.public import Metered, charge_credits
from visionscope.features.workspaces.events import WorkspaceRenamed


@dataclasses.dataclass
class Served:
    container: Container
    http: httpx.AsyncClient


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def served(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Served]:
    if request.param == "redis":
        assert REDIS_URL is not None
        redis.Redis.from_url(REDIS_URL).flushdb()
        settings = settings.model_copy(update={"redis_url": REDIS_URL})
    container = build_container(settings)
    assert isinstance(container.cache, RedisCache if request.param == "redis" else MemoryCache)
    app = create_app(settings, container)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        yield Served(container, http)
    await container.dispose()


@pytest.fixture
async def packaged_catalog_around(settings: Settings, backend: str) -> AsyncIterator[None]:
    """PostgreSQL keeps catalog rows between tests: the packaged catalog before the test and after it."""
    if backend == "postgres":
        await restore_catalog(settings)
        await truncate_postgres(settings.database)
    yield
    if backend == "postgres":
        await truncate_postgres(settings.database)
        await restore_catalog(settings)
        await truncate_postgres(settings.database)


def cache_counts(text: str, query: str) -> tuple[float, float]:
    """(hits, misses) of one query in a /metrics page."""
    counts = {"visionscope_cache_hits_total": 0.0, "visionscope_cache_misses_total": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in counts and sample.labels.get("query") == query:
                counts[sample.name] = sample.value
    return counts["visionscope_cache_hits_total"], counts["visionscope_cache_misses_total"]


async def project_names(http: httpx.AsyncClient, ws: dict[str, Any], owner: Account) -> list[str]:
    listed = await http.get(f"/v1/workspaces/{ws['id']}/projects", headers=owner.headers)
    assert listed.status_code == 200, listed.text
    return [p["name"] for p in listed.json()["items"]]


async def pool(http: httpx.AsyncClient, ws: dict[str, Any], owner: Account, feature: str) -> dict[str, Any]:
    listed = await http.get(f"/v1/workspaces/{ws['id']}/credits", headers=owner.headers)
    assert listed.status_code == 200, listed.text
    found: dict[str, Any] = next(p for p in listed.json()["items"] if p["feature"] == feature)
    return found


async def test_projects_change_right_after_a_project_is_created(served: Served) -> None:
    http = served.http
    owner = await register(http)
    ws = await workspace(http, owner)
    assert await project_names(http, ws, owner) == []
    assert await project_names(http, ws, owner) == []
    created = await http.post(
        f"/v1/workspaces/{ws['id']}/projects", json={"name": "Trailers"}, headers=owner.headers
    )
    assert created.status_code == 201, created.text
    assert await project_names(http, ws, owner) == ["Trailers"]
    assert await project_names(http, ws, owner) == ["Trailers"]
    hits, misses = cache_counts((await http.get("/metrics")).text, "ListProjects")
    assert (hits, misses) == (2, 2)


async def test_credits_change_right_after_a_charge(served: Served) -> None:
    http = served.http
    owner = await register(http)
    ws = await workspace(http, owner)
    assert (await pool(http, ws, owner, "chat_message"))["used"] == 0
    for n in (3, 4):
        charged = await http.post(
            f"/v1/workspaces/{ws['id']}/usage",
            json={"feature": "chat_message", "quantity": n},
            headers={**owner.headers, "Idempotency-Key": f"chat-{n}"},
        )
        assert charged.status_code == 201, charged.text
        assert (await pool(http, ws, owner, "chat_message"))["used"] == {3: 3, 4: 7}[n]
    hits, _ = cache_counts((await http.get("/metrics")).text, "GetCreditPools")
    assert hits == 0  # every read came right after a write


async def test_a_workspace_changes_right_after_a_rename_and_a_role_change(served: Served) -> None:
    http = served.http
    owner, member = await register(http, "Owner"), await register(http, "Member")
    ws = await workspace(http, owner)
    await add_member(http, ws, owner, member, "viewer")
    url = f"/v1/workspaces/{ws['id']}"
    assert (await http.get(url, headers=member.headers)).json()["role"] == "viewer"
    assert (await http.get(url, headers=owner.headers)).json()["name"] == "Studio"
    renamed = await http.patch(url, json={"name": "Cutting room"}, headers=owner.headers)
    assert renamed.status_code == 200, renamed.text
    assert (await http.get(url, headers=owner.headers)).json()["name"] == "Cutting room"
    changed = await http.patch(
        f"{url}/collaborators/{member.id}", json={"role": "editor"}, headers=owner.headers
    )
    assert changed.status_code == 200, changed.text
    assert (await http.get(url, headers=member.headers)).json()["role"] == "editor"


async def test_tiers_and_pools_change_right_after_a_catalog_load(
    served: Served, packaged_catalog_around: None
) -> None:
    http = served.http
    owner = await register(http)
    ws = await workspace(http, owner)

    def chat_credits(tiers: dict[str, Any]) -> int:
        pro = next(t for t in tiers["items"] if t["key"] == "pro")
        features = [f for g in pro["groups"] for f in g["features"]]
        return int(next(f["monthly_credits"] for f in features if f["key"] == "chat_message"))

    assert chat_credits((await http.get("/v1/tiers")).json()) == 5000
    assert chat_credits((await http.get("/v1/tiers")).json()) == 5000
    assert (await pool(http, ws, owner, "chat_message"))["group"] == "conversation"
    catalog = packaged()
    offer(catalog, "pro")["chat_message"]["monthly_credits"] = 6000
    feature_spec(catalog, "chat_message")["group"] = "chat"
    await served.container.mediator.send(LoadCatalog(catalog=catalog), SYSTEM)
    assert chat_credits((await http.get("/v1/tiers")).json()) == 6000
    assert (await pool(http, ws, owner, "chat_message"))["group"] == "chat"


async def test_a_commit_by_an_event_consumer_makes_cached_reads_stale(served: Served) -> None:
    """Consumers commit through the same unit of work as commands, with the same after-commit hook."""
    http, container = served.http, served.container
    owner = await register(http)
    ws = await workspace(http, owner)
    assert (await pool(http, ws, owner, "search"))["used"] == 0

    async def charge_on_rename(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, WorkspaceRenamed)
        what = Metered(
            workspace_id=event.workspace_id,
            feature="search",
            quantity=2,
            idempotency_key=f"rename:{event.event_id}",
            operation="test",
        )
        await charge_credits(uow, what, now=utcnow())

    consumer = dataclasses.replace(
        container.consumer,
        subscriptions=Subscriptions(
            [Subscription(WorkspaceRenamed, "analytics", "test.charge", charge_on_rename)]
        ),
    )
    renamed = await http.patch(f"/v1/workspaces/{ws['id']}", json={"name": "Renamed"}, headers=owner.headers)
    assert renamed.status_code == 200, renamed.text
    assert (await pool(http, ws, owner, "search"))["used"] == 0  # cached again before the consumer runs
    async with container.sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.type == "WorkspaceRenamed"))
        assert row is not None
    assert await consumer.consume(envelope_of(row), "analytics") == 1
    assert (await pool(http, ws, owner, "search"))["used"] == 2


async def test_a_system_read_bypasses_the_workspace_cache(served: Served) -> None:
    """Jobs and handlers send queries without an actor: no workspace is resolved, the database answers."""
    from visionscope.features.billing.queries import GetCreditPools

    http, container = served.http, served.container
    owner = await register(http)
    ws = await workspace(http, owner)
    for _ in range(2):
        await container.mediator.send(GetCreditPools(workspace_id=uuid.UUID(ws["id"])), SYSTEM)
    assert cache_counts((await http.get("/metrics")).text, "GetCreditPools") == (0, 0)
