"""Credit command handlers: reserve, capture, release, charge, top up, expire reservations."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from visionscope.building_blocks.errors import Conflict, InvalidInput, NotFound
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.features.billing import metering, pools, settlement
from visionscope.features.billing.commands import (
    CaptureCredits,
    ChargeCredits,
    ExpireReservations,
    ReleaseCredits,
    ReserveCredits,
    TopUpCredits,
)
from visionscope.features.billing.events import CreditsPurchased
from visionscope.features.billing.metering import Metered
from visionscope.features.billing.models import CreditPool, FeatureDefinition, LedgerEntry, UsageLog
from visionscope.features.billing.offers import feature_by_key, not_in_tier
from visionscope.features.billing.schemas import PurchaseRead, UsageRead


def _metered(cmd: ReserveCredits | ChargeCredits) -> Metered:
    return Metered(
        workspace_id=cmd.workspace_id,
        feature=cmd.feature,
        quantity=cmd.quantity,
        idempotency_key=cmd.idempotency_key,
        operation=cmd.operation,
        user_id=cmd.user_id,
        project_id=cmd.project_id,
    )


async def reserve_credits(cmd: ReserveCredits, *, uow: UnitOfWork, clock: Clock) -> UsageRead:
    return await metering.meter(uow, _metered(cmd), reserve=True, now=clock())


async def charge_credits(cmd: ChargeCredits, *, uow: UnitOfWork, clock: Clock) -> UsageRead:
    return await metering.meter(uow, _metered(cmd), reserve=False, now=clock())


async def capture_credits(cmd: CaptureCredits, *, uow: UnitOfWork, clock: Clock) -> UsageRead:
    return await settlement.capture(uow, cmd.workspace_id, cmd.idempotency_key, cmd.quantity, now=clock())


async def release_credits(cmd: ReleaseCredits, *, uow: UnitOfWork, clock: Clock) -> UsageRead:
    return await settlement.release(uow, cmd.workspace_id, cmd.idempotency_key, now=clock())


async def expire_reservations(cmd: ExpireReservations, *, uow: UnitOfWork, clock: Clock) -> int:
    """Release reservations nobody settled in time; returns how many."""
    cutoff = clock() - timedelta(hours=cmd.older_than_hours)
    return await settlement.release_open(
        uow, UsageLog.created_at <= cutoff, reason="expired", now=clock(), limit=cmd.limit
    )


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


async def top_up_credits(cmd: TopUpCredits, *, uow: UnitOfWork, clock: Clock) -> PurchaseRead:
    """Add purchased credits to a pool; they outlive periods and are spent after the grant."""
    session = uow.session
    feature = await feature_by_key(session, cmd.feature)
    if feature is None:
        raise InvalidInput(
            f"There is no feature {cmd.feature!r}.",
            errors=[{"field": "feature", "message": "unknown feature"}],
        )
    pool = await pools.balance(session, cmd.workspace_id, feature.id, lock=True)
    if pool is not None and pool.status == "closed":
        raise NotFound(f"No workspace with id {cmd.workspace_id}.")
    if pool is None or pool.status != "active" or not feature.is_active:
        raise await not_in_tier(session, feature)
    # Checked once the pool row is locked: a concurrent top-up with the same key has committed by now.
    earlier = await _earlier_purchase(uow, cmd)
    if earlier is not None:
        return earlier
    now = clock()
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
