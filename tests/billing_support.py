"""Helpers for the billing tests: a clock that moves when told, workspaces made through the mediator,
the packaged catalog put back around each test, and the checks every pool must pass."""

from __future__ import annotations

import copy
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from tests.conftest import truncate_postgres
from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.mediator import Context
from visionscope.config import Settings
from visionscope.features.billing.catalog import read_catalog
from visionscope.features.billing.commands import LoadCatalog
from visionscope.features.billing.models import (
    CreditPool,
    FeatureDefinition,
    LedgerEntry,
    TierFeature,
    UsageLog,
)
from visionscope.features.billing.queries import GetCreditPools
from visionscope.features.billing.schemas import PoolRead
from visionscope.features.identity.commands import RegisterUser
from visionscope.features.identity.schemas import UserRead
from visionscope.features.workspaces.commands import CreateWorkspace
from visionscope.features.workspaces.schemas import WorkspaceRead

SYSTEM = Context(system=True)


class ManualClock:
    """The time handlers see; tests move it forward."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def packaged() -> dict[str, Any]:
    """A fresh copy of the packaged catalog, to change and load."""
    return copy.deepcopy(read_catalog().model_dump())


def offer(catalog: dict[str, Any], tier: str) -> dict[str, Any]:
    """The ``features`` mapping of a tier in a catalog dict."""
    found: dict[str, Any] = next(t for t in catalog["tiers"] if t["key"] == tier)["features"]
    return found


def feature_spec(catalog: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in catalog["features"] if f["key"] == key)
    return found


async def load(container: Container, catalog: dict[str, Any]) -> dict[str, int]:
    return await container.mediator.send(LoadCatalog(catalog=catalog), SYSTEM)


async def restore_catalog(settings: Settings) -> None:
    """Exactly the packaged catalog: rows a test added and the file lacks would only be disabled."""
    built = build_container(settings)
    try:
        async with built.sessions() as session:
            await session.execute(delete(TierFeature))
            await session.commit()
        await load(built, packaged())
    finally:
        await built.dispose()


@pytest.fixture
async def packaged_catalog(settings: Settings, backend: str) -> AsyncIterator[None]:
    """The packaged catalog before the test and after it (PostgreSQL keeps catalog rows between tests)."""
    if backend == "postgres":
        await restore_catalog(settings)
        await truncate_postgres(settings.database)
    yield
    if backend == "postgres":
        await truncate_postgres(settings.database)
        await restore_catalog(settings)
        await truncate_postgres(settings.database)


async def new_account(container: Container, name: str = "Ada") -> UserRead:
    return await container.mediator.send(
        RegisterUser(
            email=f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com", password="a long password", name=name
        ),
        SYSTEM,
    )


async def new_user(container: Container, name: str = "Ada") -> uuid.UUID:
    return (await new_account(container, name)).id


async def new_workspace(
    container: Container, tier: str = "pro", owner: uuid.UUID | None = None
) -> WorkspaceRead:
    owner_id = owner or await new_user(container)
    return await container.mediator.send(CreateWorkspace(name="Studio", tier=tier, owner_id=owner_id), SYSTEM)


async def pools_of(container: Container, workspace_id: uuid.UUID) -> dict[str, PoolRead]:
    pools = await container.mediator.send(GetCreditPools(workspace_id=workspace_id), SYSTEM)
    return {p.feature: p for p in pools}


async def assert_books_balance(container: Container, workspace_id: uuid.UUID | None = None) -> None:
    """Every pool (of one workspace, or all): nothing negative, its statement adds up to its balance
    line by line, and what it holds reserved is exactly what its open reservations hold."""
    async with container.read_sessions() as session:
        query = select(CreditPool)
        if workspace_id is not None:
            query = query.where(CreditPool.workspace_id == workspace_id)
        pools = (await session.scalars(query)).all()
        for pool in pools:
            available = pool.granted + pool.purchased - pool.used - pool.reserved
            assert min(pool.granted, pool.purchased, pool.used, pool.reserved, available) >= 0, pool
            entries = (
                await session.scalars(
                    select(LedgerEntry).where(LedgerEntry.pool_id == pool.id).order_by(LedgerEntry.id)
                )
            ).all()
            running = 0
            for entry in entries:
                running += entry.change
                assert entry.balance == running, (entry.kind, entry.balance, running)
            assert running == available, (pool.status, running, available)
            held = await session.scalar(
                select(func.coalesce(func.sum(UsageLog.credits), 0)).where(
                    UsageLog.workspace_id == pool.workspace_id,
                    UsageLog.feature_id == pool.feature_id,
                    UsageLog.state == "reserved",
                )
            )
            assert int(held or 0) == pool.reserved


async def feature_id(container: Container, key: str) -> uuid.UUID:
    async with container.read_sessions() as session:
        found = await session.scalar(select(FeatureDefinition.id).where(FeatureDefinition.key == key))
    assert found is not None
    return found
