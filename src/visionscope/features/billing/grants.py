"""Grants: pools opened, granted, frozen and renewed as tiers, catalogs and periods change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing import pools
from visionscope.features.billing.accounts import Account
from visionscope.features.billing.events import CreditPoolFrozen, CreditsGranted
from visionscope.features.billing.models import PoolStatus
from visionscope.features.billing.offers import Offer
from visionscope.features.billing.pools import Balance


def prorated(monthly: int, now: datetime, start: datetime, end: datetime) -> int:
    """``monthly`` scaled to the share of the period still ahead, rounded to the nearest credit."""
    total = int((end - start).total_seconds() * 1_000_000)
    if total <= 0:
        return monthly
    ahead = min(max(int((end - now).total_seconds() * 1_000_000), 0), total)
    return (2 * monthly * ahead + total) // (2 * total)


async def grant(uow: UnitOfWork, pool: Balance, credits: int, *, note: str, now: datetime) -> Balance:
    """Add ``credits`` to a pool's grant and write the statement line."""
    if credits <= 0:
        return pool
    after = await pools.add(uow.session, pool.pool_id, grant=credits, now=now)
    await pools.write_entry(
        uow.session,
        after.pool_id,
        after.available,
        kind="grant",
        credits=credits,
        change=credits,
        note=note,
        now=now,
    )
    return after


async def provide(
    uow: UnitOfWork,
    account: Account,
    offer: Offer,
    existing: Balance | None,
    *,
    credits: int,
    reason: str,
    now: datetime,
    announce: bool = True,
) -> Balance:
    """Make a workspace's pool for an offered feature usable: opened or unfrozen, then granted."""
    if existing is None:
        pool = await pools.open_pool(
            uow.session,
            workspace_id=account.workspace_id,
            feature_id=offer.feature_id,
            period_start=account.period_start,
            period_end=account.period_end,
            now=now,
        )
    elif not existing.usable:
        pool = await pools.overwrite(
            uow.session,
            existing,
            now,
            status=PoolStatus.ACTIVE,
            period_start=account.period_start,
            period_end=account.period_end,
        )
    else:
        pool = existing
    after = await grant(uow, pool, credits, note=reason, now=now)
    if announce and credits > 0:
        uow.record(
            CreditsGranted(
                workspace_id=account.workspace_id, feature=offer.feature, credits=credits, reason=reason
            )
        )
    return after


async def freeze(
    uow: UnitOfWork, workspace_id: uuid.UUID, pool: Balance, feature: str, *, reason: str, now: datetime
) -> Balance:
    """Keep a pool but make it unusable; its open reservations still settle."""
    if not pool.usable:
        return pool
    after = await pools.overwrite(uow.session, pool, now, status=PoolStatus.FROZEN)
    uow.record(CreditPoolFrozen(workspace_id=workspace_id, feature=feature, reason=reason))
    return after


@dataclass(frozen=True)
class Renewed:
    pool: Balance
    expired: int
    rolled_over: int


async def start_new_period(
    uow: UnitOfWork, pool: Balance, *, rollover: bool, start: datetime, end: datetime, now: datetime
) -> Renewed:
    """Reset a locked pool for a new period.

    Usage counters restart; purchased credits not used carry over; the unused grant expires, or rolls
    over when the tier says so. Grant held by open reservations stays until they settle.
    """
    grant_left = pool.grant_left
    free = grant_left - min(pool.reserved, grant_left)
    expired = 0 if rollover else free
    after = await pools.overwrite(
        uow.session,
        pool,
        now,
        granted=grant_left - expired,
        purchased=pool.purchased_left,
        used=0,
        used_from_grant=0,
        period_start=start,
        period_end=end,
    )
    if expired:
        await pools.write_entry(
            uow.session,
            after.pool_id,
            after.available,
            kind="expiry",
            credits=expired,
            change=-expired,
            note="unused grant expired at period end",
            now=now,
        )
    return Renewed(after, expired, free if rollover else 0)
