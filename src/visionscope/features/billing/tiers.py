"""Tier changes: an upgrade applies at once with prorated grants; a downgrade waits for period end."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import Conflict, InvalidInput, NotFound
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing import accounts, grants, pools
from visionscope.features.billing.accounts import Account
from visionscope.features.billing.events import TierChangeCancelled, TierChanged, TierChangeScheduled
from visionscope.features.billing.models import PricingTier, TierChange, TierChangeStatus
from visionscope.features.billing.offers import Tier, features_by_id, offers_of, tier_by_id, tier_by_key
from visionscope.features.billing.schemas import PendingTierChangeRead, TierChangeRead


@dataclass(frozen=True)
class Pending:
    id: uuid.UUID
    to_tier_id: uuid.UUID
    to_tier: str
    effective_at: datetime
    requested_at: datetime

    def read(self) -> PendingTierChangeRead:
        return PendingTierChangeRead(
            tier=self.to_tier, effective_at=self.effective_at, requested_at=self.requested_at
        )


async def pending_change(session: AsyncSession, workspace_id: uuid.UUID) -> Pending | None:
    row = (
        await session.execute(
            select(
                TierChange.id,
                TierChange.to_tier_id,
                PricingTier.key,
                TierChange.effective_at,
                TierChange.created_at,
            )
            .join(PricingTier, PricingTier.id == TierChange.to_tier_id)
            .where(TierChange.workspace_id == workspace_id, TierChange.status == TierChangeStatus.PENDING)
        )
    ).first()
    return Pending(*row) if row else None


async def settle_change(
    session: AsyncSession, change_id: uuid.UUID, status: TierChangeStatus, now: datetime
) -> None:
    await session.execute(
        update(TierChange).where(TierChange.id == change_id).values(status=status, settled_at=now),
        execution_options={"synchronize_session": False},
    )


async def _record_change(
    session: AsyncSession,
    account: Account,
    to_tier: Tier,
    *,
    direction: str,
    status: TierChangeStatus,
    requested_by: uuid.UUID | None,
    effective_at: datetime,
    now: datetime,
) -> None:
    await session.execute(
        insert(TierChange).values(
            id=uuid.uuid4(),
            workspace_id=account.workspace_id,
            from_tier_id=account.tier_id,
            to_tier_id=to_tier.id,
            direction=direction,
            status=status,
            requested_by=requested_by,
            effective_at=effective_at,
            created_at=now,
            settled_at=now if status != TierChangeStatus.PENDING else None,
        )
    )


async def upgrade_pools(uow: UnitOfWork, account: Account, old: Tier, new: Tier, now: datetime) -> None:
    """Move a workspace to ``new`` mid-period.

    New features get pools with their grant prorated for the rest of the period; features in both
    tiers get the prorated difference of the grants (never less); pools of features ``new`` lacks
    are frozen.
    """
    old_offers = await offers_of(uow.session, old.id)
    new_offers = await offers_of(uow.session, new.id)
    current = await pools.balances(uow.session, account.workspace_id, lock=True)
    note = f"prorated grant for the move to {new.key}"
    for feature_id, offer in new_offers.items():
        pool = current.get(feature_id)
        share = grants.prorated(offer.monthly_credits, now, account.period_start, account.period_end)
        if pool is None or not pool.usable:
            credits = share - (pool.grant_left if pool else 0)
        else:
            before = old_offers.get(feature_id)
            raised = offer.monthly_credits - (before.monthly_credits if before else 0)
            credits = grants.prorated(max(raised, 0), now, account.period_start, account.period_end)
        await grants.provide(uow, account, offer, pool, credits=max(credits, 0), reason=note, now=now)
    keys = {f.id: f.key for f in (await features_by_id(uow.session, list(current))).values()}
    for feature_id, pool in current.items():
        if feature_id not in new_offers:
            await grants.freeze(
                uow,
                account.workspace_id,
                pool,
                keys[feature_id],
                reason=f"not in the {new.key} tier",
                now=now,
            )
    await accounts.move_to_tier(uow.session, account.workspace_id, new.id, now)


async def _live_account(uow: UnitOfWork, workspace_id: uuid.UUID) -> Account:
    account = await accounts.account(uow.session, workspace_id, lock=True)
    if account is None or account.deleted:
        raise NotFound(f"No workspace with id {workspace_id}.")
    return account


async def _cancel(uow: UnitOfWork, account: Account, pending: Pending, now: datetime) -> None:
    await settle_change(uow.session, pending.id, TierChangeStatus.CANCELLED, now)
    uow.record(TierChangeCancelled(workspace_id=account.workspace_id, to_tier=pending.to_tier))


async def change(
    uow: UnitOfWork, workspace_id: uuid.UUID, tier: str, requested_by: uuid.UUID | None, now: datetime
) -> TierChangeRead:
    """An upgrade applies now with prorated grants; a downgrade is scheduled for the period's end."""
    account = await _live_account(uow, workspace_id)
    target = await tier_by_key(uow.session, tier)
    if target is None or not target.is_active:
        raise InvalidInput(
            f"There is no tier {tier!r} open to workspaces.",
            errors=[{"field": "tier", "message": "unknown or inactive tier"}],
        )
    current = await tier_by_id(uow.session, account.tier_id)
    pending = await pending_change(uow.session, account.workspace_id)
    if target.id == current.id:
        if pending is None:
            raise Conflict(f"The workspace is already on the {current.key} tier.", tier=current.key)
        await _cancel(uow, account, pending, now)  # choosing the current tier again keeps it
        return TierChangeRead(tier=current.key, direction="none", pending=None)
    if pending is not None:
        await _cancel(uow, account, pending, now)
    if target.monthly_price_cents >= current.monthly_price_cents:
        await upgrade_pools(uow, account, current, target, now)
        await _record_change(
            uow.session,
            account,
            target,
            direction="upgrade",
            status=TierChangeStatus.APPLIED,
            requested_by=requested_by,
            effective_at=now,
            now=now,
        )
        uow.record(
            TierChanged(
                workspace_id=account.workspace_id,
                from_tier=current.key,
                to_tier=target.key,
                direction="upgrade",
            )
        )
        return TierChangeRead(tier=target.key, direction="upgrade", pending=None)
    await _record_change(
        uow.session,
        account,
        target,
        direction="downgrade",
        status=TierChangeStatus.PENDING,
        requested_by=requested_by,
        effective_at=account.period_end,
        now=now,
    )
    uow.record(
        TierChangeScheduled(
            workspace_id=account.workspace_id,
            from_tier=current.key,
            to_tier=target.key,
            effective_at=account.period_end,
        )
    )
    scheduled = PendingTierChangeRead(tier=target.key, effective_at=account.period_end, requested_at=now)
    return TierChangeRead(tier=current.key, direction="downgrade", pending=scheduled)


async def cancel_pending(uow: UnitOfWork, workspace_id: uuid.UUID, now: datetime) -> None:
    """Cancel the scheduled downgrade; 404 when there is none."""
    account = await _live_account(uow, workspace_id)
    pending = await pending_change(uow.session, account.workspace_id)
    if pending is None:
        raise NotFound("The workspace has no pending tier change.")
    await _cancel(uow, account, pending, now)
