"""Period renewal: pending downgrades applied, grants expired or rolled over, new grants given."""

from __future__ import annotations

from datetime import datetime

from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing import accounts, grants, pools
from visionscope.features.billing.accounts import Account, add_month
from visionscope.features.billing.events import PeriodRenewed, TierChanged
from visionscope.features.billing.models import TierChangeStatus
from visionscope.features.billing.offers import features_by_id, offers_of, tier_by_id
from visionscope.features.billing.tiers import pending_change, settle_change


def next_period(account: Account, now: datetime) -> tuple[datetime, datetime]:
    """The period that contains ``now``, continuing from the one that ended."""
    start, end = account.period_end, add_month(account.period_end)
    while end <= now:
        start, end = end, add_month(end)
    return start, end


async def renew(uow: UnitOfWork, account: Account, now: datetime) -> None:
    """Start a workspace's next period (its row is locked by the caller)."""
    session = uow.session
    ending_tier = await tier_by_id(session, account.tier_id)
    tier = ending_tier
    pending = await pending_change(session, account.workspace_id)
    if pending is not None and pending.effective_at <= now:
        tier = await tier_by_id(session, pending.to_tier_id)
        await accounts.move_to_tier(session, account.workspace_id, tier.id, now)
        await settle_change(session, pending.id, TierChangeStatus.APPLIED, now)
        uow.record(
            TierChanged(
                workspace_id=account.workspace_id,
                from_tier=ending_tier.key,
                to_tier=tier.key,
                direction="downgrade",
            )
        )
    start, end = next_period(account, now)
    await accounts.start_period(session, account.workspace_id, start, end, now)
    renewed_account = Account(account.workspace_id, tier.id, start, end, False)
    offers = await offers_of(session, tier.id)
    current = await pools.balances(session, account.workspace_id, lock=True)
    keys = {f.id: f.key for f in (await features_by_id(session, list(current))).values()}
    expired = rolled_over = granted = 0
    for feature_id, pool in current.items():
        offer = offers.get(feature_id)
        keep = ending_tier.rollover and offer is not None and pool.usable
        result = await grants.start_new_period(uow, pool, rollover=keep, start=start, end=end, now=now)
        expired += result.expired
        rolled_over += result.rolled_over
        if offer is None:
            await grants.freeze(
                uow,
                account.workspace_id,
                result.pool,
                keys[feature_id],
                reason=f"not in the {tier.key} tier",
                now=now,
            )
            continue
        await grants.provide(
            uow,
            renewed_account,
            offer,
            result.pool,
            credits=offer.monthly_credits,
            reason="monthly grant",
            now=now,
            announce=False,
        )
        granted += offer.monthly_credits
    for feature_id, offer in offers.items():
        if feature_id not in current:
            await grants.provide(
                uow,
                renewed_account,
                offer,
                None,
                credits=offer.monthly_credits,
                reason="monthly grant",
                now=now,
                announce=False,
            )
            granted += offer.monthly_credits
    uow.record(
        PeriodRenewed(
            workspace_id=account.workspace_id,
            tier=tier.key,
            period_start=start,
            period_end=end,
            expired=expired,
            rolled_over=rolled_over,
            granted=granted,
        )
    )


async def renew_due(uow: UnitOfWork, limit: int, now: datetime) -> int:
    """Renew up to ``limit`` workspaces whose period has ended; returns how many."""
    due = await accounts.accounts_due(uow.session, now, limit)
    for account in due:
        await renew(uow, account, now)
    return len(due)
