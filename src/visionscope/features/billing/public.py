"""What other features may ask of billing inside their own transaction.

Workspaces call these from their handlers (pools opened with the workspace, a seat charged with a
collaborator, reservations released with a project or workspace); videos and conversations call the
entitlement and limit checks, and meter credits with the same functions the billing commands use.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from visionscope.building_blocks.errors import Forbidden, NotFound, TooLarge
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.features.billing import accounts, grants, metering, pools, settlement, statements
from visionscope.features.billing.accounts import Account, add_month
from visionscope.features.billing.events import CreditPoolsClosed
from visionscope.features.billing.metering import Metered
from visionscope.features.billing.models import (
    CreditPool,
    PoolStatus,
    PricingTier,
    TierChangeStatus,
    UsageLog,
)
from visionscope.features.billing.offers import feature_by_key, not_in_tier, offers_of
from visionscope.features.billing.schemas import PendingTierChangeRead, UsageRead
from visionscope.features.billing.tiers import pending_change, settle_change
from visionscope.features.workspaces.public import tier_of

SEATS = "seats"
TOO_LARGE_LIMITS = frozenset({"max_upload_mb"})  # over these: 413; over any other limit: 403

__all__ = [
    "Metered",
    "active_tier_id",
    "add_month",
    "capture_credits",
    "charge_credits",
    "charge_seat",
    "check_limit",
    "close_workspace_pools",
    "offered_features",
    "open_workspace_pools",
    "pending_tier_change",
    "release_credits",
    "release_project_reservations",
    "require_feature",
    "reserve_credits",
    "tier_key",
    "tier_limits",
]


async def active_tier_id(session: AsyncSession, key: str) -> uuid.UUID | None:
    """The id of the active tier with this key, or None."""
    found: uuid.UUID | None = await session.scalar(
        select(PricingTier.id).where(PricingTier.key == key, PricingTier.is_active)
    )
    return found


async def tier_key(session: AsyncSession, tier_id: uuid.UUID) -> str:
    key: str = (await session.scalar(select(PricingTier.key).where(PricingTier.id == tier_id))) or ""
    return key


async def open_workspace_pools(
    uow: UnitOfWork,
    *,
    workspace_id: uuid.UUID,
    tier_id: uuid.UUID,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
) -> None:
    """A new workspace's pools: one per feature its tier offers, granted the monthly credits.

    The WorkspaceCreated event the caller records stands for them: no event of their own.
    """
    account = Account(workspace_id, tier_id, period_start, period_end, False)
    for offer in (await offers_of(uow.session, tier_id)).values():
        await grants.provide(
            uow,
            account,
            offer,
            None,
            credits=offer.monthly_credits,
            reason="monthly grant",
            now=now,
            announce=False,
        )


async def offered_features(session: AsyncSession, tier_id: uuid.UUID) -> dict[str, dict[str, int]]:
    """The features a tier offers now, by key, with their limits."""
    return {offer.feature: offer.limits for offer in (await offers_of(session, tier_id)).values()}


async def tier_limits(session: AsyncSession, workspace_id: uuid.UUID) -> dict[str, int]:
    """The limits of the workspace's tier (max_collaborators, max_upload_mb, max_video_minutes, ...)."""
    account = await accounts.account(session, workspace_id)
    if account is None or account.deleted:
        raise NotFound(f"No workspace with id {workspace_id}.")
    limits: dict[str, int] = {}
    for offer in (await offers_of(session, account.tier_id)).values():
        for name, value in offer.limits.items():
            limits[name] = max(value, limits.get(name, value))
    return limits


async def check_limit(session: AsyncSession, workspace_id: uuid.UUID, limit: str, value: int) -> None:
    """Refuse ``value`` over the tier's ``limit``: 413 for sizes, 403 otherwise. No limit, no check."""
    maximum = (await tier_limits(session, workspace_id)).get(limit)
    if maximum is None or value <= maximum:
        return
    account = await accounts.account(session, workspace_id)
    tier = await tier_key(session, account.tier_id) if account else ""
    detail = f"Your {tier} tier allows {limit} = {maximum}; this needs {value}."
    error = TooLarge if limit in TOO_LARGE_LIMITS else Forbidden
    raise error(detail, limit=limit, maximum=maximum, value=value, tier=tier)


async def require_feature(session: AsyncSession, workspace_id: uuid.UUID, feature: str) -> None:
    """403, naming the tiers that have it, unless the workspace's tier offers ``feature``."""
    found = await feature_by_key(session, feature)
    if found is None:
        raise NotFound(f"There is no feature {feature!r}.", feature=feature)
    pool = await pools.balance(session, workspace_id, found.id)
    if pool is None or not pool.usable or not found.is_active:
        raise await not_in_tier(session, found)


async def reserve_credits(uow: UnitOfWork, what: Metered, *, now: datetime) -> UsageRead:
    return await metering.meter(uow, what, reserve=True, now=now)


async def charge_credits(uow: UnitOfWork, what: Metered, *, now: datetime) -> UsageRead:
    return await metering.meter(uow, what, reserve=False, now=now)


async def capture_credits(
    uow: UnitOfWork, workspace_id: uuid.UUID, reservation_key: str, quantity: int, *, now: datetime
) -> UsageRead:
    return await settlement.capture(uow, workspace_id, reservation_key, quantity, now=now)


async def release_credits(
    uow: UnitOfWork, workspace_id: uuid.UUID, reservation_key: str, *, now: datetime
) -> UsageRead:
    return await settlement.release(uow, workspace_id, reservation_key, now=now)


async def charge_seat(
    uow: UnitOfWork, *, workspace_id: uuid.UUID, user_id: uuid.UUID, added_by: uuid.UUID | None, now: datetime
) -> UsageRead | None:
    """Charge one seat for a collaborator where the tier meters seats (once per user and period)."""
    feature = await feature_by_key(uow.session, SEATS)
    if feature is None or not feature.is_active:
        return None
    pool = await pools.balance(uow.session, workspace_id, feature.id)
    account = await accounts.account(uow.session, workspace_id)
    if pool is None or not pool.usable or account is None:
        return None
    what = Metered(
        workspace_id=workspace_id,
        feature=SEATS,
        quantity=1,
        idempotency_key=f"seat:{user_id}:{account.period_start.isoformat()}",
        operation=f"seat:{user_id}",
        user_id=added_by,
    )
    return await metering.meter(uow, what, reserve=False, now=now)


async def release_project_reservations(uow: UnitOfWork, *, project_id: uuid.UUID, now: datetime) -> int:
    """A deleted project's running work gives its reserved credits back; its usage logs stay."""
    return await settlement.release_open(
        uow, UsageLog.project_id == project_id, reason="project deleted", now=now
    )


async def close_workspace_pools(uow: UnitOfWork, *, workspace_id: uuid.UUID, now: datetime) -> None:
    """A deleted workspace: open reservations released, pools closed, a pending tier change cancelled."""
    released = await settlement.release_open(
        uow, UsageLog.workspace_id == workspace_id, reason="workspace deleted", now=now
    )
    closed = await uow.session.execute(
        update(CreditPool)
        .where(CreditPool.workspace_id == workspace_id, CreditPool.status != PoolStatus.CLOSED)
        .values(status=PoolStatus.CLOSED, updated_at=now),
        execution_options={"synchronize_session": False},
    )
    pool_count = cast(CursorResult[Any], closed).rowcount
    pending = await pending_change(uow.session, workspace_id)
    if pending is not None:
        await settle_change(uow.session, pending.id, TierChangeStatus.CANCELLED, now)
    uow.record(CreditPoolsClosed(workspace_id=workspace_id, pools=pool_count, released_reservations=released))


async def pending_tier_change(session: AsyncSession, workspace_id: uuid.UUID) -> PendingTierChangeRead | None:
    """The downgrade waiting for the end of the period, for the workspace read model."""
    pending = await pending_change(session, workspace_id)
    return pending.read() if pending else None


async def available_credits(session: AsyncSession, workspace_id: uuid.UUID, feature: str) -> int | None:
    """The credits left in the workspace's pool for ``feature`` (active or frozen); None without one."""
    pools_now = await statements.credit_pools(session, workspace_id)
    return next((p.available for p in pools_now if p.feature == feature), None)


class TierKeys:
    """The tier key of a workspace, remembered for a minute (tier changes are rare): the rate limits
    are sized by it."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, ttl: float = 60.0) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ttl = ttl
        self._known: dict[uuid.UUID, tuple[str | None, datetime]] = {}

    async def __call__(self, workspace_id: uuid.UUID) -> str | None:
        now = self._clock()
        known = self._known.get(workspace_id)
        if known is not None and (now - known[1]).total_seconds() < self._ttl:
            return known[0]
        async with self._sessions() as session:
            tier_id = await tier_of(session, workspace_id)
            key = await tier_key(session, tier_id) if tier_id else None
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[workspace_id] = (key, now)
        return key
