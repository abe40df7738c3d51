"""Side effects of a changed catalog on the workspaces that use it.

A tier offers a feature when its tier_features row is enabled and the feature is active. Comparing
what was offered before a load with what is offered after it gives every side effect:

- newly offered: each live workspace on the tier gets a pool granted the feature's monthly credits,
  prorated for the rest of its period (a frozen pool is unfrozen and topped up to that share);
- no longer offered (row disabled or removed, feature deactivated): those pools are frozen; open
  reservations on them still settle;
- monthly_credits changed: nothing now, the next renewal grants the new amount;
- credits_per_unit changed: new charges only (usage logs keep their unit_cost).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import Conflict
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing import accounts, grants, pools
from visionscope.features.billing.events import (
    CatalogEntryDeleted,
    FeatureActivationChanged,
    FeatureAddedToTier,
    FeatureCostChanged,
    FeatureRemovedFromTier,
    MonthlyCreditsChanged,
    TierActivationChanged,
    TierLimitsChanged,
)
from visionscope.features.billing.models import (
    CreditPool,
    FeatureDefinition,
    PricingTier,
    TierChange,
    TierFeature,
    UsageLog,
)
from visionscope.features.billing.offers import Offer

Pair = tuple[uuid.UUID, uuid.UUID]  # (tier id, feature id)
Diff = dict[str, tuple[Any, Any]]


async def effective_offers(session: AsyncSession) -> dict[Pair, Offer]:
    """Every (tier, feature) offered now; inactive tiers still offer to the workspaces they keep."""
    rows = await session.execute(
        select(
            TierFeature.tier_id,
            TierFeature.feature_id,
            FeatureDefinition.key,
            TierFeature.monthly_credits,
            TierFeature.limits,
        )
        .join(FeatureDefinition, FeatureDefinition.id == TierFeature.feature_id)
        .where(TierFeature.enabled, FeatureDefinition.is_active)
    )
    return {(r[0], r[1]): Offer(r[1], r[2], r[3], dict(r[4] or {})) for r in rows}


async def refuse_deleting_referenced(
    session: AsyncSession, tiers: list[PricingTier], features: list[FeatureDefinition]
) -> None:
    """A tier or feature that left the file may go only when nothing references it: else 409."""
    for tier in tiers:
        changes = await session.scalar(
            select(func.count()).where(
                or_(TierChange.from_tier_id == tier.id, TierChange.to_tier_id == tier.id)
            )
        )
        references = await accounts.workspaces_on_tier(session, tier.id) + int(changes or 0)
        if references:
            raise Conflict(
                f"The tier {tier.key!r} is missing from the catalog file but {references} workspaces or "
                "tier changes reference it; keep it with is_active false instead of deleting it.",
                tier=tier.key,
                references=references,
            )
    for feature in features:
        pool_count = await session.scalar(select(func.count()).where(CreditPool.feature_id == feature.id))
        log_count = await session.scalar(select(func.count()).where(UsageLog.feature_id == feature.id))
        references = int(pool_count or 0) + int(log_count or 0)
        if references:
            raise Conflict(
                f"The feature {feature.key!r} is missing from the catalog file but {references} credit "
                "pools or usage logs reference it; keep it with is_active false instead of deleting it.",
                feature=feature.key,
                references=references,
            )


async def delete_entries(
    uow: UnitOfWork,
    offered: dict[Pair, TierFeature],
    tiers: list[PricingTier],
    features: list[FeatureDefinition],
) -> int:
    """Delete unreferenced tiers and features that left the file, their tier_features rows first."""
    gone = {t.id for t in tiers} | {f.id for f in features}
    for (tier_id, feature_id), offer in offered.items():
        if tier_id in gone or feature_id in gone:
            await uow.session.delete(offer)
    await uow.flush()
    for tier in tiers:
        await uow.session.delete(tier)
        uow.record(CatalogEntryDeleted(kind="tier", key=tier.key))
    for feature in features:
        await uow.session.delete(feature)
        uow.record(CatalogEntryDeleted(kind="feature", key=feature.key))
    return len(tiers) + len(features)


def record_feature_changes(uow: UnitOfWork, key: str, diff: Diff) -> None:
    if "credits_per_unit" in diff and diff["credits_per_unit"][0] is not None:
        old, new = diff["credits_per_unit"]
        uow.record(FeatureCostChanged(feature=key, old=old, new=new))
    if "is_active" in diff and diff["is_active"][0] is not None:
        uow.record(FeatureActivationChanged(feature=key, is_active=bool(diff["is_active"][1])))


def record_tier_changes(uow: UnitOfWork, key: str, diff: Diff) -> None:
    if "is_active" in diff and diff["is_active"][0] is not None:
        uow.record(TierActivationChanged(tier=key, is_active=bool(diff["is_active"][1])))


def record_offer_changes(uow: UnitOfWork, tier: str, feature: str, diff: Diff) -> None:
    if "monthly_credits" in diff and diff["monthly_credits"][0] is not None:
        old, new = diff["monthly_credits"]
        uow.record(MonthlyCreditsChanged(tier=tier, feature=feature, old=old, new=new))
    if "limits" in diff and diff["limits"][0] is not None:
        uow.record(TierLimitsChanged(tier=tier, feature=feature, limits=dict(diff["limits"][1])))


async def apply_offer_changes(
    uow: UnitOfWork,
    before: dict[Pair, Offer],
    after: dict[Pair, Offer],
    tier_keys: dict[uuid.UUID, str],
    feature_keys: dict[uuid.UUID, str],
    now: datetime,
) -> dict[str, int]:
    """Open or unfreeze pools for newly offered features; freeze those no longer offered."""
    opened = frozen = 0
    for tier_id, feature_id in sorted(after.keys() - before.keys()):
        offer, tier = after[(tier_id, feature_id)], tier_keys[tier_id]
        reason = f"{offer.feature} added to the {tier} tier"
        workspaces = await accounts.live_accounts_on_tier(uow.session, tier_id, lock=True)
        for account in workspaces:
            pool = await pools.balance(uow.session, account.workspace_id, feature_id, lock=True)
            if pool is not None and pool.usable:
                continue
            share = grants.prorated(offer.monthly_credits, now, account.period_start, account.period_end)
            credits = share - (pool.grant_left if pool is not None else 0)
            await grants.provide(uow, account, offer, pool, credits=max(credits, 0), reason=reason, now=now)
            opened += 1
        uow.record(
            FeatureAddedToTier(
                tier=tier,
                feature=offer.feature,
                monthly_credits=offer.monthly_credits,
                workspaces=len(workspaces),
            )
        )
    for tier_id, feature_id in sorted(before.keys() - after.keys()):
        tier, feature = tier_keys[tier_id], feature_keys[feature_id]
        workspaces = await accounts.live_accounts_on_tier(uow.session, tier_id, lock=True)
        for account in workspaces:
            pool = await pools.balance(uow.session, account.workspace_id, feature_id, lock=True)
            if pool is not None and pool.usable:
                await grants.freeze(
                    uow,
                    account.workspace_id,
                    pool,
                    feature,
                    reason=f"{feature} left the {tier} tier",
                    now=now,
                )
                frozen += 1
        uow.record(FeatureRemovedFromTier(tier=tier, feature=feature, workspaces=len(workspaces)))
    return {"pools_opened": opened, "pools_frozen": frozen}
