"""PRICING.md side effects of catalog changes: one test per rule, named after it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.billing_support import (
    SYSTEM,
    ManualClock,
    assert_books_balance,
    feature_spec,
    load,
    new_workspace,
    offer,
    packaged,
    pools_of,
)
from visionscope.bootstrap import Container
from visionscope.building_blocks.errors import Conflict, Forbidden, InvalidInput
from visionscope.building_blocks.mediator import Context
from visionscope.building_blocks.messages import UserActor
from visionscope.building_blocks.outbox import OutboxMessage
from visionscope.features.billing.commands import (
    CaptureCredits,
    ChangeTier,
    ChargeCredits,
    LoadCatalog,
    RenewPeriods,
    ReserveCredits,
)
from visionscope.features.billing.grants import prorated
from visionscope.features.billing.models import FeatureDefinition, PricingTier, UsageLog
from visionscope.features.billing.queries import GetTiers
from visionscope.features.workspaces.commands import CreateWorkspace


def charge(workspace_id: object, feature: str, quantity: int, key: str) -> ChargeCredits:
    return ChargeCredits(
        workspace_id=workspace_id,  # type: ignore[arg-type]
        feature=feature,
        quantity=quantity,
        idempotency_key=key,
        operation="test",
    )


async def event_types(container: Container) -> list[str]:
    async with container.read_sessions() as session:
        return list(await session.scalars(select(OutboxMessage.type).order_by(OutboxMessage.position)))


async def test_feature_added_to_a_tier(billing: Container, clock: ManualClock) -> None:
    """Every workspace on that tier gets a pool with the feature's monthly_credits, prorated for the
    rest of its period."""
    free, pro = await new_workspace(billing, "free"), await new_workspace(billing, "pro")
    clock.advance(seconds=(free.period_end - free.period_start).total_seconds() / 4)
    catalog = packaged()
    offer(catalog, "free")["text_recognition"] = {"monthly_credits": 400}
    changed = await load(billing, catalog)
    assert changed["tier_features"] == 1 and changed["pools_opened"] == 1
    added = (await pools_of(billing, free.id))["text_recognition"]
    assert added.status == "active"
    assert added.granted == prorated(400, clock.now, free.period_start, free.period_end) == 300
    assert (await pools_of(billing, pro.id))["text_recognition"].granted == 3000  # another tier: untouched
    later = await new_workspace(billing, "free")
    assert (await pools_of(billing, later.id))["text_recognition"].granted == 400
    assert "FeatureAddedToTier" in await event_types(billing)
    await assert_books_balance(billing)


async def test_feature_removed_from_a_tier(billing: Container) -> None:
    """The pools of that feature in the tier's workspaces are frozen; in-flight reservations on them
    are still settled."""
    ws = await new_workspace(billing, "free")
    await billing.mediator.send(
        ReserveCredits(
            workspace_id=ws.id, feature="video_analysis", quantity=3, idempotency_key="job", operation="a"
        ),
        SYSTEM,
    )
    catalog = packaged()
    del offer(catalog, "free")["video_analysis"]
    assert (await load(billing, catalog))["pools_frozen"] == 1
    pool = (await pools_of(billing, ws.id))["video_analysis"]
    assert (pool.status, pool.reserved) == ("frozen", 30)
    with pytest.raises(Forbidden) as refused:
        await billing.mediator.send(charge(ws.id, "video_analysis", 1, "new"), SYSTEM)
    assert refused.value.extra["tiers"] == ["pro", "enterprise"]
    settled = await billing.mediator.send(
        CaptureCredits(workspace_id=ws.id, idempotency_key="job", quantity=2), SYSTEM
    )
    assert settled.state == "captured"
    pool = (await pools_of(billing, ws.id))["video_analysis"]
    assert (pool.status, pool.reserved, pool.used) == ("frozen", 0, 20)
    assert "FeatureRemovedFromTier" in await event_types(billing)
    # Offered again: the pool comes back to life with what it had.
    await load(billing, packaged())
    assert (await pools_of(billing, ws.id))["video_analysis"].status == "active"
    await assert_books_balance(billing)


async def test_monthly_credits_of_a_tier_feature_changed(billing: Container, clock: ManualClock) -> None:
    """Applies at each workspace's next renewal; nothing changes mid-period."""
    ws = await new_workspace(billing, "free")
    catalog = packaged()
    offer(catalog, "free")["search"]["monthly_credits"] = 500
    await load(billing, catalog)
    assert (await pools_of(billing, ws.id))["search"].granted == 100
    assert "MonthlyCreditsChanged" in await event_types(billing)
    clock.now = ws.period_end
    await billing.mediator.send(RenewPeriods(), SYSTEM)
    assert (await pools_of(billing, ws.id))["search"].granted == 500
    await assert_books_balance(billing)


async def test_credits_per_unit_of_a_feature_changed(billing: Container) -> None:
    """Applies to new charges only; usage logs keep the cost they were charged at."""
    ws = await new_workspace(billing, "pro")
    await billing.mediator.send(charge(ws.id, "chat_message", 2, "before"), SYSTEM)
    await billing.mediator.send(
        ReserveCredits(
            workspace_id=ws.id, feature="video_analysis", quantity=2, idempotency_key="job", operation="a"
        ),
        SYSTEM,
    )
    catalog = packaged()
    feature_spec(catalog, "chat_message")["credits_per_unit"] = 3
    feature_spec(catalog, "video_analysis")["credits_per_unit"] = 50
    await load(billing, catalog)
    after = await billing.mediator.send(charge(ws.id, "chat_message", 2, "after"), SYSTEM)
    assert (after.unit_cost, after.credits) == (3, 6)
    captured = await billing.mediator.send(
        CaptureCredits(workspace_id=ws.id, idempotency_key="job", quantity=2), SYSTEM
    )
    assert (captured.unit_cost, captured.credits) == (10, 20)  # reserved before the change: old cost
    async with billing.read_sessions() as session:
        logs = {
            row[0]: (row[1], row[2])
            for row in await session.execute(
                select(UsageLog.idempotency_key, UsageLog.unit_cost, UsageLog.credits)
            )
        }
    assert logs == {"before": (1, 2), "after": (3, 6), "job": (10, 20)}
    assert "FeatureCostChanged" in await event_types(billing)
    await assert_books_balance(billing)


async def test_feature_deactivated(billing: Container) -> None:
    """Removed from every tier; new charges refused with 403; history kept."""
    free, pro = await new_workspace(billing, "free"), await new_workspace(billing, "pro")
    await billing.mediator.send(charge(pro.id, "search", 4, "kept"), SYSTEM)
    catalog = packaged()
    feature_spec(catalog, "search")["is_active"] = False
    assert (await load(billing, catalog))["pools_frozen"] == 2
    for ws in (free, pro):
        assert (await pools_of(billing, ws.id))["search"].status == "frozen"
        with pytest.raises(Forbidden) as refused:
            await billing.mediator.send(charge(ws.id, "search", 1, "new"), SYSTEM)
        assert refused.value.extra == {"feature": "search", "tiers": []}
    tiers = await billing.mediator.send(GetTiers(), SYSTEM)
    assert all(f.key != "search" for t in tiers for g in t.groups for f in g.features)
    async with billing.read_sessions() as session:
        assert await session.scalar(select(UsageLog.credits).where(UsageLog.idempotency_key == "kept")) == 4
    assert "FeatureActivationChanged" in await event_types(billing)
    await assert_books_balance(billing)


async def test_tier_deactivated(billing: Container) -> None:
    """No new workspace may choose it; existing workspaces stay until moved."""
    ws = await new_workspace(billing, "pro")
    catalog = packaged()
    next(t for t in catalog["tiers"] if t["key"] == "pro")["is_active"] = False
    await load(billing, catalog)
    with pytest.raises(InvalidInput):
        await billing.mediator.send(CreateWorkspace(name="late", tier="pro", owner_id=ws.owner_id), SYSTEM)
    other = await new_workspace(billing, "free")
    with pytest.raises(InvalidInput):
        await billing.mediator.send(ChangeTier(workspace_id=other.id, tier="pro"), SYSTEM)
    assert (await billing.mediator.send(charge(ws.id, "text_recognition", 1, "still"), SYSTEM)).credits == 5
    assert [t.key for t in await billing.mediator.send(GetTiers(), SYSTEM)] == ["free", "enterprise"]
    assert "TierActivationChanged" in await event_types(billing)


async def test_tier_or_feature_deleted_while_referenced(billing: Container) -> None:
    """Refused with 409 and the count of references; unreferenced ones are deleted."""
    await new_workspace(billing, "enterprise")
    await new_workspace(billing, "enterprise")
    without_tier = packaged()
    without_tier["tiers"] = [t for t in without_tier["tiers"] if t["key"] != "enterprise"]
    with pytest.raises(Conflict) as refused:
        await load(billing, without_tier)
    assert refused.value.extra == {"tier": "enterprise", "references": 2}
    without_feature = packaged()
    without_feature["features"] = [f for f in without_feature["features"] if f["key"] != "search"]
    for tier in without_feature["tiers"]:
        tier["features"].pop("search")
    with pytest.raises(Conflict) as refused:
        await load(billing, without_feature)
    assert refused.value.extra == {"feature": "search", "references": 2}
    # Nothing references a new tier and feature: taking them out of the file deletes them.
    extended = packaged()
    extended["features"].append(
        {
            "key": "dubbing",
            "name": "Dubbing",
            "group": "analysis",
            "unit": "video_minute",
            "credits_per_unit": 20,
        }
    )
    extended["tiers"].append(
        {
            "key": "trial",
            "name": "Trial",
            "monthly_price_cents": 0,
            "features": {"dubbing": {"monthly_credits": 5}},
        }
    )
    await load(billing, extended)
    assert (await load(billing, packaged()))["deleted"] == 2
    async with billing.read_sessions() as session:
        assert await session.scalar(select(PricingTier.id).where(PricingTier.key == "trial")) is None
        assert (
            await session.scalar(select(FeatureDefinition.id).where(FeatureDefinition.key == "dubbing"))
            is None
        )


async def test_reloading_the_same_catalog_changes_nothing(billing: Container) -> None:
    await new_workspace(billing, "pro")
    changed = await load(billing, packaged())
    assert not any(changed.values())
    assert "CatalogLoaded" not in await event_types(billing)


async def test_an_invalid_catalog_is_refused_whole_and_callers_cannot_load_one(billing: Container) -> None:
    ws = await new_workspace(billing, "free")
    broken = packaged()
    offer(broken, "free")["warp_drive"] = {"monthly_credits": 1}
    with pytest.raises(InvalidInput):
        await load(billing, broken)
    with pytest.raises(Forbidden):
        await billing.mediator.send(LoadCatalog(catalog=packaged()), Context(actor=UserActor(ws.owner_id)))
    assert (await pools_of(billing, ws.id))["search"].granted == 100
