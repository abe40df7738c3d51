"""Concurrency on PostgreSQL: no overspend, and one effect per idempotency key, however many race."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from tests.billing_support import SYSTEM, assert_books_balance, new_workspace, pools_of, restore_catalog
from tests.conftest import truncate_postgres
from tests.helpers import register, workspace
from visionscope.app import create_app
from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.errors import PaymentRequired
from visionscope.config import Settings
from visionscope.features.billing.commands import CaptureCredits, ChargeCredits, ReserveCredits, TopUpCredits
from visionscope.features.billing.models import LedgerEntry, UsageLog
from visionscope.features.billing.schemas import UsageRead

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg(postgres_migrated: str, tmp_path: Path) -> AsyncIterator[Container]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=postgres_migrated,
        secret_key="test-secret-" + "x" * 40,
        log_json=False,
    )
    await truncate_postgres(postgres_migrated)
    await restore_catalog(settings)
    await truncate_postgres(postgres_migrated)
    built = build_container(settings)
    yield built
    await built.dispose()
    await truncate_postgres(postgres_migrated)


async def test_200_concurrent_charges_against_100_credits_charge_exactly_100(pg: Container) -> None:
    ws = await new_workspace(pg, "free")  # search: 100 credits, 1 credit a query
    assert (await pools_of(pg, ws.id))["search"].available == 100

    async def one(n: int) -> UsageRead:
        return await pg.mediator.send(
            ChargeCredits(
                workspace_id=ws.id, feature="search", quantity=1, idempotency_key=f"q-{n}", operation="search"
            ),
            SYSTEM,
        )

    results = await asyncio.gather(*(one(n) for n in range(200)), return_exceptions=True)
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"UsageRead": 100, "PaymentRequired": 100}, kinds
    refusals = [r for r in results if isinstance(r, PaymentRequired)]
    assert all(r.extra["feature"] == "search" and r.extra["needed"] == 1 for r in refusals)
    pool = (await pools_of(pg, ws.id))["search"]
    assert (pool.used, pool.available) == (100, 0)
    async with pg.read_sessions() as session:
        rows = await session.scalar(
            select(func.count()).select_from(UsageLog).where(UsageLog.workspace_id == ws.id)
        )
    assert rows == 100
    balances = sorted(r.available_after for r in results if isinstance(r, UsageRead))
    assert balances == list(range(100))  # each success saw its own place in line
    await assert_books_balance(pg)


async def test_the_same_idempotency_key_sent_50_times_at_once_charges_once_with_50_equal_answers(
    pg: Container,
) -> None:
    app = create_app(pg.settings, pg)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        owner = await register(client)
        ws = await workspace(client, owner, tier="free")
        headers = {**owner.headers, "Idempotency-Key": "retry-me"}
        responses = await asyncio.gather(
            *(
                client.post(
                    f"/v1/workspaces/{ws['id']}/usage",
                    json={"feature": "chat_message", "quantity": 3},
                    headers=headers,
                )
                for _ in range(50)
            )
        )
    assert {r.status_code for r in responses} == {201}
    assert len({r.text for r in responses}) == 1
    pool = (await pools_of(pg, uuid.UUID(ws["id"])))["chat_message"]
    assert (pool.used, pool.available) == (3, 197)
    async with pg.read_sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(UsageLog))
    assert rows == 1
    await assert_books_balance(pg)


async def test_concurrent_top_ups_and_captures_with_one_key_take_effect_once(pg: Container) -> None:
    ws = await new_workspace(pg, "pro")
    buy = TopUpCredits(workspace_id=ws.id, feature="search", credits=70, idempotency_key="order")
    purchases = await asyncio.gather(*(pg.mediator.send(buy, SYSTEM) for _ in range(30)))
    assert len({p.model_dump_json() for p in purchases}) == 1
    await pg.mediator.send(
        ReserveCredits(
            workspace_id=ws.id, feature="video_analysis", quantity=5, idempotency_key="job", operation="a"
        ),
        SYSTEM,
    )
    capture = CaptureCredits(workspace_id=ws.id, idempotency_key="job", quantity=4)
    captures = await asyncio.gather(*(pg.mediator.send(capture, SYSTEM) for _ in range(30)))
    assert len({c.model_dump_json() for c in captures}) == 1
    pools = await pools_of(pg, ws.id)
    assert pools["search"].purchased == 70
    assert (pools["video_analysis"].used, pools["video_analysis"].reserved) == (40, 0)
    async with pg.read_sessions() as session:
        kinds = Counter(await session.scalars(select(LedgerEntry.kind)))
    assert kinds["purchase"] == 1 and kinds["capture"] == 1 and kinds["release"] == 1
    await assert_books_balance(pg)
