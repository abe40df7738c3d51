"""Read side of the catalog."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from visionscope.building_blocks.messages import ANONYMOUS, Query
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing.models import FeatureDefinition, PricingTier, TierFeature
from visionscope.features.billing.schemas import FeatureGroupRead, TierFeatureRead, TierRead


@dataclass(frozen=True, kw_only=True)
class GetTiers(Query[list[TierRead]]):
    """The active tiers with their enabled features, grouped."""

    access = ANONYMOUS


async def get_tiers(query: GetTiers, *, uow: UnitOfWork) -> list[TierRead]:
    rows = (
        await uow.session.execute(
            select(PricingTier, TierFeature, FeatureDefinition)
            .join(TierFeature, TierFeature.tier_id == PricingTier.id)
            .join(FeatureDefinition, FeatureDefinition.id == TierFeature.feature_id)
            .where(PricingTier.is_active, TierFeature.enabled, FeatureDefinition.is_active)
            .order_by(PricingTier.monthly_price_cents, FeatureDefinition.group, FeatureDefinition.key)
        )
    ).all()
    tiers: dict[str, PricingTier] = {}
    grouped: dict[str, dict[str, list[TierFeatureRead]]] = defaultdict(lambda: defaultdict(list))
    for tier, offer, feature in rows:
        tiers[tier.key] = tier
        grouped[tier.key][feature.group].append(
            TierFeatureRead(
                key=feature.key,
                name=feature.name,
                unit=feature.unit,
                credits_per_unit=feature.credits_per_unit,
                monthly_credits=offer.monthly_credits,
                limits=offer.limits or {},
            )
        )
    return [
        TierRead(
            key=t.key,
            name=t.name,
            monthly_price_cents=t.monthly_price_cents,
            rollover=t.rollover,
            groups=[FeatureGroupRead(group=g, features=f) for g, f in grouped[key].items()],
        )
        for key, t in tiers.items()
    ]
