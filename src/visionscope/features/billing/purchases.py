"""Purchased credits: a top-up adds to a pool; its credits outlive periods and are spent after the grant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from visionscope.building_blocks.errors import Conflict, InvalidInput, NotFound
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing import pools
from visionscope.features.billing.commands import TopUpCredits
from visionscope.features.billing.events import CreditsPurchased
from visionscope.features.billing.models import CreditPool, FeatureDefinition, LedgerEntry, PoolStatus
from visionscope.features.billing.offers import feature_by_key, not_in_tier
from visionscope.features.billing.schemas import PurchaseRead


async def _earlier_purchase(uow: UnitOfWork, cmd: TopUpCredits) -> PurchaseRead | None:
    """The purchase this workspace already made with the command's idempotency key, if any."""
    if cmd.idempotency_key is None:
        return None
    row = (
        await uow.session.execute(
            select(LedgerEntry, FeatureDefinition.key)
            .join(CreditPool, CreditPool.id == LedgerEntry.pool_id)
            .join(FeatureDefinition, FeatureDefinition.id == CreditPool.feature_id)
            .where(
                CreditPool.workspace_id == cmd.workspace_id,
                LedgerEntry.idempotency_key == cmd.idempotency_key,
                LedgerEntry.kind == "purchase",
            )
        )
    ).first()
    if row is None:
        return None
    entry, feature = row
    if feature != cmd.feature or entry.credits != cmd.credits:
        raise Conflict(
            "This idempotency key was already used for a different top-up.",
            idempotency_key=cmd.idempotency_key,
        )
    return PurchaseRead(
        id=entry.id,
        feature=feature,
        credits=entry.credits,
        available_after=entry.balance,
        created_at=entry.created_at,
    )


async def top_up(uow: UnitOfWork, cmd: TopUpCredits, now: datetime) -> PurchaseRead:
    """Add purchased credits to a pool; they outlive periods and are spent after the grant."""
    session = uow.session
    feature = await feature_by_key(session, cmd.feature)
    if feature is None:
        raise InvalidInput(
            f"There is no feature {cmd.feature!r}.",
            errors=[{"field": "feature", "message": "unknown feature"}],
        )
    pool = await pools.balance(session, cmd.workspace_id, feature.id, lock=True)
    if pool is not None and pool.status == PoolStatus.CLOSED:
        raise NotFound(f"No workspace with id {cmd.workspace_id}.")
    if pool is None or not pool.usable or not feature.is_active:
        raise await not_in_tier(session, feature)
    # Checked once the pool row is locked: a concurrent top-up with the same key has committed by now.
    earlier = await _earlier_purchase(uow, cmd)
    if earlier is not None:
        return earlier
    after = await pools.add(session, pool.pool_id, purchase=cmd.credits, now=now)
    entry_id = await pools.write_entry(
        session,
        after.pool_id,
        after.available,
        kind="purchase",
        credits=cmd.credits,
        change=cmd.credits,
        note="top-up",
        now=now,
        idempotency_key=cmd.idempotency_key,
    )
    uow.record(
        CreditsPurchased(
            workspace_id=cmd.workspace_id,
            feature=feature.key,
            credits=cmd.credits,
            available=after.available,
            purchased_by=cmd.purchased_by,
        )
    )
    return PurchaseRead(
        id=entry_id, feature=feature.key, credits=cmd.credits, available_after=after.available, created_at=now
    )
