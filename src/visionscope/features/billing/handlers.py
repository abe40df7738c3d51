"""Billing's handlers: each takes its message and delegates to the module that owns the rule
(metering, settlement, purchases, tiers, renewal, catalog, statements, reports)."""

from __future__ import annotations

from datetime import timedelta

from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.features.billing import (
    catalog,
    metering,
    purchases,
    renewal,
    reports,
    settlement,
    statements,
    tiers,
)
from visionscope.features.billing.commands import (
    CancelTierChange,
    CaptureCredits,
    ChangeTier,
    ChargeCredits,
    ExpireReservations,
    LoadCatalog,
    ReleaseCredits,
    RenewPeriods,
    ReserveCredits,
    TopUpCredits,
)
from visionscope.features.billing.metering import Metered
from visionscope.features.billing.models import UsageLog
from visionscope.features.billing.queries import (
    GetBusinessFigures,
    GetCreditPools,
    GetStatement,
    GetTiers,
    GetUsage,
)
from visionscope.features.billing.schemas import (
    BusinessFiguresRead,
    PoolRead,
    PurchaseRead,
    StatementRead,
    TierChangeRead,
    TierRead,
    UsageRead,
    UsageReportRead,
)


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


async def top_up_credits(cmd: TopUpCredits, *, uow: UnitOfWork, clock: Clock) -> PurchaseRead:
    return await purchases.top_up(uow, cmd, clock())


async def change_tier(cmd: ChangeTier, *, uow: UnitOfWork, clock: Clock) -> TierChangeRead:
    return await tiers.change(uow, cmd.workspace_id, cmd.tier, cmd.requested_by, clock())


async def cancel_tier_change(cmd: CancelTierChange, *, uow: UnitOfWork, clock: Clock) -> None:
    await tiers.cancel_pending(uow, cmd.workspace_id, clock())


async def renew_periods(cmd: RenewPeriods, *, uow: UnitOfWork, clock: Clock) -> int:
    return await renewal.renew_due(uow, cmd.limit, clock())


async def load_catalog(cmd: LoadCatalog, *, uow: UnitOfWork, clock: Clock) -> dict[str, int]:
    """Apply a catalog file and every side effect of what changed; returns counts of what changed."""
    return await catalog.apply_catalog(uow, cmd.catalog, clock())


async def get_tiers(query: GetTiers, *, uow: UnitOfWork) -> list[TierRead]:
    return await statements.tiers_on_offer(uow.session)


async def get_credit_pools(query: GetCreditPools, *, uow: UnitOfWork) -> list[PoolRead]:
    return await statements.credit_pools(uow.session, query.workspace_id)


async def get_statement(query: GetStatement, *, uow: UnitOfWork) -> StatementRead:
    return await statements.statement(uow.session, query)


async def get_usage(query: GetUsage, *, uow: UnitOfWork) -> UsageReportRead:
    return await reports.usage(uow, query)


async def get_business_figures(query: GetBusinessFigures, *, uow: UnitOfWork) -> BusinessFiguresRead:
    return await reports.business_figures(uow, query)
