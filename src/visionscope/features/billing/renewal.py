"""Period renewal: pending downgrades applied, grants expired or rolled over, new grants given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing import accounts, grants, pools
from visionscope.features.billing.accounts import Account, add_month
from visionscope.features.billing.events import PeriodRenewed, TierChanged
from visionscope.features.billing.models import TierChangeStatus
from visionscope.features.billing.offers import Offer, Tier, features_by_id, offers_of, tier_by_id
from visionscope.features.billing.pools import Balance
from visionscope.features.billing.tiers import pending_change, settle_change


def next_period(account: Account, now: datetime) -> tuple[datetime, datetime]:
    """The period that contains ``now``, continuing from the one that ended."""
    start, end = account.period_end, add_month(account.period_end)
    while end <= now:
        start, end = end, add_month(end)
    return start, end


@dataclass
class _Totals:
    expired: int = 0
    rolled_over: int = 0
    granted: int = 0


async def _apply_pending_downgrade(uow: UnitOfWork, account: Account, ending: Tier, now: datetime) -> Tier:
    """The tier of the new period: a downgrade due by now is applied first."""
    pending = await pending_change(uow.session, account.workspace_id)
    if pending is None or pending.effective_at > now:
        return ending
    tier = await tier_by_id(uow.session, pending.to_tier_id)
    await accounts.move_to_tier(uow.session, account.workspace_id, tier.id, now)
    await settle_change(uow.session, pending.id, TierChangeStatus.APPLIED, now)
    uow.record(
        TierChanged(
            workspace_id=account.workspace_id, from_tier=ending.key, to_tier=tier.key, direction="downgrade"
        )
    )
    return tier


async def _renew_pools(uow: UnitOfWork, renewed: Account, ending: Tier, tier: Tier, now: datetime) -> _Totals:
    """Every pool starts the period: unused grant expires or rolls over, offered features get
    their monthly credits, others are frozen; offered features without a pool get one."""
    session = uow.session
    offers = await offers_of(session, tier.id)
    current = await pools.balances(session, renewed.workspace_id, lock=True)
    keys = {f.id: f.key for f in (await features_by_id(session, list(current))).values()}
    totals = _Totals()
    for feature_id, pool in current.items():
        offer = offers.get(feature_id)
        keep = ending.rollover and offer is not None and pool.usable
        result = await grants.start_new_period(
            uow, pool, rollover=keep, start=renewed.period_start, end=renewed.period_end, now=now
        )
        totals.expired += result.expired
        totals.rolled_over += result.rolled_over
        if offer is None:
            reason = f"not in the {tier.key} tier"
            await grants.freeze(
                uow, renewed.workspace_id, result.pool, keys[feature_id], reason=reason, now=now
            )
            continue
        await _grant_month(uow, renewed, offer, result.pool, now)
        totals.granted += offer.monthly_credits
    for feature_id, offer in offers.items():
        if feature_id not in current:
            await _grant_month(uow, renewed, offer, None, now)
            totals.granted += offer.monthly_credits
    return totals


async def _grant_month(
    uow: UnitOfWork, renewed: Account, offer: Offer, pool: Balance | None, now: datetime
) -> None:
    await grants.provide(
        uow,
        renewed,
        offer,
        pool,
        credits=offer.monthly_credits,
        reason="monthly grant",
        now=now,
        announce=False,
    )


async def renew(uow: UnitOfWork, account: Account, now: datetime) -> None:
    """Start a workspace's next period (its row is locked by the caller)."""
    ending = await tier_by_id(uow.session, account.tier_id)
    tier = await _apply_pending_downgrade(uow, account, ending, now)
    start, end = next_period(account, now)
    await accounts.start_period(uow.session, account.workspace_id, start, end, now)
    renewed = Account(account.workspace_id, tier.id, start, end, False)
    totals = await _renew_pools(uow, renewed, ending, tier, now)
    uow.record(
        PeriodRenewed(
            workspace_id=account.workspace_id,
            tier=tier.key,
            period_start=start,
            period_end=end,
            expired=totals.expired,
            rolled_over=totals.rolled_over,
            granted=totals.granted,
        )
    )


async def renew_due(uow: UnitOfWork, limit: int, now: datetime) -> int:
    """Renew up to ``limit`` workspaces whose period has ended; returns how many."""
    due = await accounts.accounts_due(uow.session, now, limit)
    for account in due:
        await renew(uow, account, now)
    return len(due)
