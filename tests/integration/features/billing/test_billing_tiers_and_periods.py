"""PRICING.md side effects of tier changes and period renewals: one test per rule, named after it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.billing_support import (
    SYSTEM,
    ManualClock,
    assert_books_balance,
    load,
    new_workspace,
    offer,
    packaged,
    pools_of,
)
from visionscope.bootstrap import Container
from visionscope.building_blocks.errors import Conflict, Forbidden, InvalidInput, NotFound
from visionscope.building_blocks.messages import UserActor
from visionscope.building_blocks.outbox import OutboxMessage
from visionscope.features.billing.commands import (
    CancelTierChange,
    CaptureCredits,
    ChangeTier,
    ChargeCredits,
    RenewPeriods,
    ReserveCredits,
    TopUpCredits,
)
from visionscope.features.billing.grants import prorated
from visionscope.features.billing.models import LedgerEntry
from visionscope.features.workspaces.queries import GetWorkspace
from visionscope.features.workspaces.schemas import WorkspaceRead


def charge(workspace: WorkspaceRead, feature: str, quantity: int, key: str) -> ChargeCredits:
    return ChargeCredits(
        workspace_id=workspace.id, feature=feature, quantity=quantity, idempotency_key=key, operation="test"
    )


async def events(container: Container, kind: str) -> list[dict[str, object]]:
    async with container.read_sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.type == kind).order_by(OutboxMessage.position)
        )
        return list(rows)


async def workspace_read(container: Container, ws: WorkspaceRead) -> WorkspaceRead:
    return await container.mediator.send(
        GetWorkspace(workspace_id=ws.id, actor=UserActor(ws.owner_id)), SYSTEM
    )


async def test_workspace_upgrades_tier(billing: Container, clock: ManualClock) -> None:
    """At once: pools for newly enabled features; the prorated difference of grants for features in
    both tiers; pools of features the new tier lacks frozen (kept, unusable)."""
    catalog = packaged()
    catalog["tiers"].append(
        {
            "key": "studio",
            "name": "Studio",
            "monthly_price_cents": 9900,
            "features": {
                "video_analysis": {"monthly_credits": 600},
                "text_recognition": {"monthly_credits": 1000},
                "chat_message": {"monthly_credits": 100},
            },
        }
    )
    await load(billing, catalog)
    ws = await new_workspace(billing, "free")
    await billing.mediator.send(charge(ws, "search", 10, "s"), SYSTEM)
    clock.advance(seconds=(ws.period_end - ws.period_start).total_seconds() / 2)
    changed = await billing.mediator.send(ChangeTier(workspace_id=ws.id, tier="studio"), SYSTEM)
    assert (changed.tier, changed.direction, changed.pending) == ("studio", "upgrade", None)
    pools = await pools_of(billing, ws.id)
    half = {m: prorated(m, clock.now, ws.period_start, ws.period_end) for m in (300, 1000)}
    assert half == {300: 150, 1000: 500}
    assert pools["video_analysis"].granted == 300 + half[300]  # 300 more a month, half a month left
    assert pools["text_recognition"].granted == half[1000]  # new feature: half its month
    assert pools["chat_message"].granted == 200  # studio grants less: never taken away mid-period
    assert {k: p.status for k, p in pools.items() if p.status == "frozen"} == {
        "transcription": "frozen",
        "search": "frozen",
        "seats": "frozen",
    }
    assert pools["search"].used == 10  # kept
    with pytest.raises(Forbidden):
        await billing.mediator.send(charge(ws, "search", 1, "s2"), SYSTEM)
    assert (await workspace_read(billing, ws)).tier == "studio"
    assert [e["direction"] for e in await events(billing, "TierChanged")] == ["upgrade"]
    await assert_books_balance(billing)


async def test_workspace_downgrades_tier(billing: Container, clock: ManualClock) -> None:
    """Scheduled for period end (pending change visible on the workspace, cancellable); at period
    end it applies like an upgrade in reverse: frozen pools, new grants."""
    ws = await new_workspace(billing, "pro")
    scheduled = await billing.mediator.send(ChangeTier(workspace_id=ws.id, tier="free"), SYSTEM)
    assert scheduled.tier == "pro" and scheduled.pending is not None
    assert scheduled.pending.effective_at == ws.period_end
    seen = await workspace_read(billing, ws)
    assert seen.tier == "pro" and seen.pending_tier_change == scheduled.pending
    assert (await pools_of(billing, ws.id))["text_recognition"].status == "active"
    await billing.mediator.send(CancelTierChange(workspace_id=ws.id), SYSTEM)
    assert (await workspace_read(billing, ws)).pending_tier_change is None
    with pytest.raises(NotFound):
        await billing.mediator.send(CancelTierChange(workspace_id=ws.id), SYSTEM)
    await billing.mediator.send(ChangeTier(workspace_id=ws.id, tier="free"), SYSTEM)
    await billing.mediator.send(charge(ws, "text_recognition", 2, "ocr"), SYSTEM)
    assert await billing.mediator.send(RenewPeriods(), SYSTEM) == 0  # not yet
    clock.now = ws.period_end
    assert await billing.mediator.send(RenewPeriods(), SYSTEM) == 1
    after = await workspace_read(billing, ws)
    assert (after.tier, after.pending_tier_change, after.period_start) == ("free", None, ws.period_end)
    pools = await pools_of(billing, ws.id)
    assert pools["text_recognition"].status == "frozen"
    assert pools["text_recognition"].granted == 0  # the ended period's grant expired
    free = offer(packaged(), "free")
    assert {k: p.granted for k, p in pools.items() if p.status == "active"} == {
        k: s["monthly_credits"] for k, s in free.items()
    }
    assert [e["direction"] for e in await events(billing, "TierChanged")] == ["downgrade"]
    await assert_books_balance(billing)


async def test_choosing_the_current_tier_cancels_a_pending_change_and_bad_tiers_are_refused(
    billing: Container,
) -> None:
    ws = await new_workspace(billing, "pro")
    with pytest.raises(Conflict):
        await billing.mediator.send(ChangeTier(workspace_id=ws.id, tier="pro"), SYSTEM)
    with pytest.raises(InvalidInput):
        await billing.mediator.send(ChangeTier(workspace_id=ws.id, tier="platinum"), SYSTEM)
    await billing.mediator.send(ChangeTier(workspace_id=ws.id, tier="free"), SYSTEM)
    kept = await billing.mediator.send(ChangeTier(workspace_id=ws.id, tier="pro"), SYSTEM)
    assert kept.pending is None and (await workspace_read(billing, ws)).pending_tier_change is None
    # An upgrade replaces a pending downgrade.
    await billing.mediator.send(ChangeTier(workspace_id=ws.id, tier="free"), SYSTEM)
    await billing.mediator.send(ChangeTier(workspace_id=ws.id, tier="enterprise"), SYSTEM)
    after = await workspace_read(billing, ws)
    assert (after.tier, after.pending_tier_change) == ("enterprise", None)


async def test_period_renewal(billing: Container, clock: ManualClock) -> None:
    """Every active pool: unused grant expires, new grant = monthly_credits; purchased credits carry
    over; usage counters reset; an event per workspace. Grant held by open reservations stays."""
    ws = await new_workspace(billing, "free")
    await billing.mediator.send(TopUpCredits(workspace_id=ws.id, feature="search", credits=50), SYSTEM)
    await billing.mediator.send(charge(ws, "search", 120, "s"), SYSTEM)  # 100 of grant, 20 purchased
    await billing.mediator.send(
        ReserveCredits(
            workspace_id=ws.id, feature="video_analysis", quantity=2, idempotency_key="job", operation="a"
        ),
        SYSTEM,
    )
    clock.now = ws.period_end
    assert await billing.mediator.send(RenewPeriods(), SYSTEM) == 1
    assert await billing.mediator.send(RenewPeriods(), SYSTEM) == 0  # once per period
    pools = await pools_of(billing, ws.id)
    search, video = pools["search"], pools["video_analysis"]
    assert (search.granted, search.purchased, search.used, search.available) == (100, 30, 0, 130)
    assert (video.granted, video.reserved, video.used, video.available) == (320, 20, 0, 300)
    assert (video.period_start, video.period_end) == (
        ws.period_end,
        (await workspace_read(billing, ws)).period_end,
    )
    captured = await billing.mediator.send(
        CaptureCredits(workspace_id=ws.id, idempotency_key="job", quantity=2), SYSTEM
    )
    assert captured.credits == 20
    renewed = await events(billing, "PeriodRenewed")
    assert len(renewed) == 1 and renewed[0]["expired"] == 280 + 200 + 150 + 3
    async with billing.read_sessions() as session:
        expiries = list(
            await session.scalars(select(LedgerEntry.credits).where(LedgerEntry.kind == "expiry"))
        )
    assert sorted(expiries) == [3, 150, 200, 280]
    await assert_books_balance(billing)


async def test_period_renewal_rolls_over_the_unused_grant_where_the_tier_says_rollover(
    billing: Container, clock: ManualClock
) -> None:
    ws = await new_workspace(billing, "enterprise")
    await billing.mediator.send(charge(ws, "chat_message", 1000, "c"), SYSTEM)
    clock.now = ws.period_end
    await billing.mediator.send(RenewPeriods(), SYSTEM)
    chat = (await pools_of(billing, ws.id))["chat_message"]
    assert (chat.granted, chat.used, chat.available) == (99_000 + 100_000, 0, 199_000)
    assert (await events(billing, "PeriodRenewed"))[0]["rolled_over"] > 0
    await assert_books_balance(billing)


async def test_a_workspace_idle_for_months_renews_into_the_current_period(
    billing: Container, clock: ManualClock
) -> None:
    ws = await new_workspace(billing, "free")
    clock.advance(days=95)
    await billing.mediator.send(RenewPeriods(), SYSTEM)
    after = await workspace_read(billing, ws)
    assert after.period_start <= clock.now < after.period_end
    assert (await pools_of(billing, ws.id))["search"].granted == 100
