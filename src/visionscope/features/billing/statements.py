"""Read side of billing: the tiers on offer, credit pools and their statements."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import InvalidInput, NotFound
from visionscope.features.billing.models import (
    CreditPool,
    FeatureDefinition,
    LedgerEntry,
    PoolStatus,
    PricingTier,
    TierFeature,
)
from visionscope.features.billing.queries import GetStatement
from visionscope.features.billing.schemas import (
    FeatureGroupRead,
    GroupCreditsRead,
    LedgerEntryRead,
    PoolRead,
    StatementRead,
    TierFeatureRead,
    TierRead,
)


async def tiers_on_offer(session: AsyncSession) -> list[TierRead]:
    """The active tiers with their enabled features, grouped."""
    rows = (
        await session.execute(
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


_POOL_COLUMNS = (
    FeatureDefinition.key,
    FeatureDefinition.group,
    FeatureDefinition.unit,
    CreditPool.status,
    CreditPool.granted,
    CreditPool.purchased,
    CreditPool.used,
    CreditPool.reserved,
    CreditPool.used_from_grant,
    CreditPool.period_start,
    CreditPool.period_end,
)


def _pool_read(row: Any) -> PoolRead:
    key, group, unit, status, granted, purchased, used, reserved, from_grant, start, end = row
    return PoolRead(
        feature=key,
        group=group,
        unit=unit,
        status=status,
        granted=granted,
        purchased=purchased,
        used=used,
        reserved=reserved,
        available=granted + purchased - used - reserved,
        used_from_grant=from_grant,
        used_from_purchased=used - from_grant,
        period_start=start,
        period_end=end,
    )


def group_totals(items: list[PoolRead]) -> list[GroupCreditsRead]:
    """Credit summaries by feature group (frozen pools included: their purchases still count)."""
    totals: dict[str, GroupCreditsRead] = {}
    for pool in items:
        total = totals.setdefault(
            pool.group,
            GroupCreditsRead(group=pool.group, granted=0, purchased=0, used=0, reserved=0, available=0),
        )
        total.granted += pool.granted
        total.purchased += pool.purchased
        total.used += pool.used
        total.reserved += pool.reserved
        total.available += pool.available
    return list(totals.values())


async def credit_pools(session: AsyncSession, workspace_id: uuid.UUID) -> list[PoolRead]:
    """A workspace's credit pools (active and frozen), by group and feature."""
    rows = await session.execute(
        select(*_POOL_COLUMNS)
        .join(FeatureDefinition, FeatureDefinition.id == CreditPool.feature_id)
        .where(CreditPool.workspace_id == workspace_id, CreditPool.status != PoolStatus.CLOSED)
        .order_by(FeatureDefinition.group, FeatureDefinition.key)
    )
    return [_pool_read(row) for row in rows]


async def statement(session: AsyncSession, query: GetStatement) -> StatementRead:
    """A pool's statement, oldest line first; the cursor is the number of the last line seen."""
    found = (
        await session.execute(
            select(CreditPool.id, *_POOL_COLUMNS)
            .join(FeatureDefinition, FeatureDefinition.id == CreditPool.feature_id)
            .where(CreditPool.workspace_id == query.workspace_id, FeatureDefinition.key == query.feature)
        )
    ).first()
    if found is None:
        raise NotFound(f"This workspace has no credit pool for {query.feature!r}.", feature=query.feature)
    after = 0
    if query.cursor is not None:
        if not query.cursor.isdigit():
            raise InvalidInput(
                "The cursor is not one this API gave out.",
                errors=[{"field": "cursor", "message": "not a number"}],
            )
        after = int(query.cursor)
    entries = list(
        (
            await session.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.pool_id == found[0], LedgerEntry.id > after)
                .order_by(LedgerEntry.id)
                .limit(query.limit + 1)
            )
        ).all()
    )
    more = len(entries) > query.limit
    entries = entries[: query.limit]
    return StatementRead(
        feature=query.feature,
        pool=_pool_read(found[1:]),
        items=[
            LedgerEntryRead(
                id=e.id,
                at=e.created_at,
                kind=e.kind,
                credits=e.credits,
                change=e.change,
                balance=e.balance,
                note=e.note,
                usage_id=e.usage_id,
            )
            for e in entries
        ],
        next_cursor=str(entries[-1].id) if more and entries else None,
    )
