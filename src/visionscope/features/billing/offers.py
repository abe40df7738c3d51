"""What the catalog offers: features by key, what a tier offers and which tiers offer a feature.

A tier offers a feature when its tier_features row is enabled and the feature itself is active.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import Forbidden
from visionscope.features.billing.models import FeatureDefinition, PricingTier, TierFeature


@dataclass(frozen=True)
class Feature:
    id: uuid.UUID
    key: str
    group: str
    unit: str
    credits_per_unit: int
    is_active: bool


@dataclass(frozen=True)
class Offer:
    """A feature as a tier offers it."""

    feature_id: uuid.UUID
    feature: str
    monthly_credits: int
    limits: dict[str, int]


@dataclass(frozen=True)
class Tier:
    id: uuid.UUID
    key: str
    monthly_price_cents: int
    rollover: bool
    is_active: bool


_features = cast(Table, FeatureDefinition.__table__).c
_FEATURE_COLUMNS = (
    _features.id,
    _features.key,
    _features.group,
    _features.unit,
    _features.credits_per_unit,
    _features.is_active,
)
_FEATURE_BY_KEY = select(*_FEATURE_COLUMNS).where(_features.key == bindparam("key"))
_TIER_COLUMNS = (
    PricingTier.id,
    PricingTier.key,
    PricingTier.monthly_price_cents,
    PricingTier.rollover,
    PricingTier.is_active,
)


async def feature_by_key(session: AsyncSession, key: str) -> Feature | None:
    row = (await session.execute(_FEATURE_BY_KEY, {"key": key})).first()
    return Feature(*row) if row else None


async def features_by_id(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, Feature]:
    if not ids:
        return {}
    rows = await session.execute(select(*_FEATURE_COLUMNS).where(_features.id.in_(ids)))
    return {row[0]: Feature(*row) for row in rows}


async def tier_by_key(session: AsyncSession, key: str) -> Tier | None:
    row = (await session.execute(select(*_TIER_COLUMNS).where(PricingTier.key == key))).first()
    return Tier(*row) if row else None


async def tier_by_id(session: AsyncSession, tier_id: uuid.UUID) -> Tier:
    row = (await session.execute(select(*_TIER_COLUMNS).where(PricingTier.id == tier_id))).one()
    return Tier(*row)


async def offers_of(session: AsyncSession, tier_id: uuid.UUID) -> dict[uuid.UUID, Offer]:
    """The features a tier offers now, by feature id."""
    rows = await session.execute(
        select(TierFeature.feature_id, FeatureDefinition.key, TierFeature.monthly_credits, TierFeature.limits)
        .join(FeatureDefinition, FeatureDefinition.id == TierFeature.feature_id)
        .where(TierFeature.tier_id == tier_id, TierFeature.enabled, FeatureDefinition.is_active)
    )
    return {row[0]: Offer(row[0], row[1], row[2], dict(row[3] or {})) for row in rows}


async def tiers_offering(session: AsyncSession, feature_id: uuid.UUID) -> list[str]:
    """The keys of the active tiers that offer a feature, cheapest first."""
    rows = await session.scalars(
        select(PricingTier.key)
        .join(TierFeature, TierFeature.tier_id == PricingTier.id)
        .join(FeatureDefinition, FeatureDefinition.id == TierFeature.feature_id)
        .where(
            TierFeature.feature_id == feature_id,
            TierFeature.enabled,
            FeatureDefinition.is_active,
            PricingTier.is_active,
        )
        .order_by(PricingTier.monthly_price_cents, PricingTier.key)
    )
    return list(rows)


async def not_in_tier(session: AsyncSession, feature: Feature, **extra: Any) -> Forbidden:
    """The 403 for a feature the workspace's tier does not offer, naming the tiers that do."""
    tiers = await tiers_offering(session, feature.id)
    where = f"; it comes with {', '.join(tiers)}" if tiers else "; no tier offers it now"
    return Forbidden(
        f"Your tier does not include {feature.key}{where}.", feature=feature.key, tiers=tiers, **extra
    )
