"""Metering: reserve or charge credits, exactly once per idempotency key.

A usage log row is inserted first with ``ON CONFLICT DO NOTHING`` on (workspace, key): of concurrent
requests with one key a single one inserts, the others wait for it to commit and then read its
result. The debit itself is the pool's conditional UPDATE (see pools.py); when it finds too few
credits the whole transaction, usage row included, rolls back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.db import dialect_name
from visionscope.building_blocks.errors import Conflict, DomainError, InvalidInput, NotFound, PaymentRequired
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing import pools
from visionscope.features.billing.events import CreditsCaptured, CreditsLow, CreditsReserved
from visionscope.features.billing.models import LedgerEntry, PoolStatus, UsageLog, UsageState
from visionscope.features.billing.offers import Feature, feature_by_key, not_in_tier
from visionscope.features.billing.schemas import UsageRead
from visionscope.features.workspaces.public import workspace_of_project


@dataclass(frozen=True)
class Usage:
    id: uuid.UUID
    workspace_id: uuid.UUID
    feature_id: uuid.UUID
    project_id: uuid.UUID | None
    user_id: uuid.UUID | None
    quantity: int
    credits: int
    unit_cost: int
    state: UsageState
    idempotency_key: str
    operation: str
    created_at: datetime
    settled_at: datetime | None


def usage_of(row: Any) -> Usage:
    return Usage(*row)


USAGE_COLUMNS = (
    UsageLog.id,
    UsageLog.workspace_id,
    UsageLog.feature_id,
    UsageLog.project_id,
    UsageLog.user_id,
    UsageLog.quantity,
    UsageLog.credits,
    UsageLog.unit_cost,
    UsageLog.state,
    UsageLog.idempotency_key,
    UsageLog.operation,
    UsageLog.created_at,
    UsageLog.settled_at,
)


@dataclass(frozen=True)
class Metered:
    """What is to be metered: ``quantity`` units of ``feature`` for one operation."""

    workspace_id: uuid.UUID
    feature: str
    quantity: int
    idempotency_key: str
    operation: str
    user_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


async def usage_by_key(
    session: AsyncSession, workspace_id: uuid.UUID, key: str, *, lock: bool = False
) -> Usage | None:
    statement = select(*USAGE_COLUMNS).where(
        UsageLog.workspace_id == workspace_id, UsageLog.idempotency_key == key
    )
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).first()
    return usage_of(row) if row else None


async def first_entry(session: AsyncSession, usage_id: uuid.UUID) -> tuple[str, int, int]:
    """Kind, credits and resulting balance of the statement line that recorded a usage."""
    row = (
        await session.execute(
            select(LedgerEntry.kind, LedgerEntry.credits, LedgerEntry.balance)
            .where(LedgerEntry.usage_id == usage_id)
            .order_by(LedgerEntry.id)
            .limit(1)
        )
    ).one()
    return row[0], row[1], row[2]


def usage_read(usage: Usage, feature: str, available_after: int) -> UsageRead:
    return UsageRead(
        id=usage.id,
        feature=feature,
        quantity=usage.quantity,
        credits=usage.credits,
        unit_cost=usage.unit_cost,
        state=usage.state,
        idempotency_key=usage.idempotency_key,
        operation=usage.operation,
        project_id=usage.project_id,
        user_id=usage.user_id,
        available_after=available_after,
        created_at=usage.created_at,
        settled_at=usage.settled_at,
    )


async def _feature(session: AsyncSession, key: str) -> Feature:
    feature = await feature_by_key(session, key)
    if feature is None:
        raise InvalidInput(
            f"There is no feature {key!r}.", errors=[{"field": "feature", "message": "unknown feature"}]
        )
    if not feature.is_active:
        raise await not_in_tier(session, feature)
    return feature


async def refusal(
    session: AsyncSession, workspace_id: uuid.UUID, feature: Feature, needed: int
) -> DomainError:
    """Why a debit found nothing to take: no usable pool (403, 404 once closed) or too few credits (402)."""
    pool = await pools.balance(session, workspace_id, feature.id)
    if pool is not None and pool.status == PoolStatus.CLOSED:
        return NotFound(f"No workspace with id {workspace_id}.")
    if pool is None or not pool.usable:
        return await not_in_tier(session, feature)
    return PaymentRequired(
        f"{feature.key} needs {needed} credits; {pool.available} are available.",
        feature=feature.key,
        needed=needed,
        available=pool.available,
    )


_usage_table = cast(Table, UsageLog.__table__)
_CLAIM_KEY = {
    dialect: insert(_usage_table)
    .on_conflict_do_nothing(index_elements=["workspace_id", "idempotency_key"])
    .returning(_usage_table.c.id)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


async def _claim_key(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert the usage row unless its key is taken; waits for a concurrent holder of the key."""
    return (await session.execute(_CLAIM_KEY[dialect_name(session)], values)).first() is not None


async def _replay(session: AsyncSession, what: Metered, feature: Feature, kind: str) -> UsageRead:
    """The answer the first request with this key got; a different request with the key is refused."""
    existing = await usage_by_key(session, what.workspace_id, what.idempotency_key)
    if existing is None:
        raise Conflict("A request with this idempotency key is in progress; try again.")
    first_kind, first_credits, available_after = await first_entry(session, existing.id)
    if (
        existing.feature_id != feature.id
        or first_kind != kind
        or first_credits != what.quantity * existing.unit_cost
    ):
        raise Conflict(
            "This idempotency key was already used for a different request.",
            idempotency_key=what.idempotency_key,
        )
    return usage_read(existing, feature.key, available_after)


def _usage(what: Metered, feature: Feature, *, reserve: bool, now: datetime) -> Usage:
    """The usage row of a reservation (settled later) or of a charge (captured now)."""
    return Usage(
        id=uuid.uuid4(),
        workspace_id=what.workspace_id,
        feature_id=feature.id,
        project_id=what.project_id,
        user_id=what.user_id,
        quantity=what.quantity,
        credits=what.quantity * feature.credits_per_unit,
        unit_cost=feature.credits_per_unit,
        state=UsageState.RESERVED if reserve else UsageState.CAPTURED,
        idempotency_key=what.idempotency_key,
        operation=what.operation,
        created_at=now,
        settled_at=None if reserve else now,
    )


def _record_debit(
    uow: UnitOfWork, usage: Usage, feature: Feature, after: pools.Balance, *, reserve: bool
) -> None:
    """CreditsReserved or CreditsCaptured, and CreditsLow when the debit took the pool under its threshold."""
    if reserve:
        uow.record(
            CreditsReserved(
                workspace_id=usage.workspace_id,
                feature=feature.key,
                usage_id=usage.id,
                credits=usage.credits,
                available=after.available,
            )
        )
    else:
        uow.record(
            CreditsCaptured(
                workspace_id=usage.workspace_id,
                feature=feature.key,
                usage_id=usage.id,
                credits=usage.credits,
                released=0,
                immediate=True,
                available=after.available,
            )
        )
    if pools.fell_low(after, usage.credits):
        uow.record(
            CreditsLow(
                workspace_id=usage.workspace_id,
                feature=feature.key,
                available=after.available,
                threshold=after.low_threshold,
            )
        )


async def meter(uow: UnitOfWork, what: Metered, *, reserve: bool, now: datetime) -> UsageRead:
    """Reserve (``reserve``) or charge at once; the same key again returns the first answer."""
    session = uow.session
    feature = await _feature(session, what.feature)
    if (
        what.project_id is not None
        and await workspace_of_project(session, what.project_id) != what.workspace_id
    ):
        raise NotFound(f"No project with id {what.project_id}.")
    kind = "reservation" if reserve else "charge"
    usage = _usage(what, feature, reserve=reserve, now=now)
    if not await _claim_key(session, usage.__dict__):
        return await _replay(session, what, feature, kind)
    credits = usage.credits
    after = await pools.take(
        session,
        workspace_id=what.workspace_id,
        feature_id=feature.id,
        credits=credits,
        reserve=reserve,
        now=now,
    )
    if after is None:
        raise await refusal(session, what.workspace_id, feature, credits)
    await pools.write_entry(
        session,
        after.pool_id,
        after.available,
        kind=kind,
        credits=credits,
        change=-credits,
        note=what.operation,
        now=now,
        usage_id=usage.id,
    )
    _record_debit(uow, usage, feature, after, reserve=reserve)
    return usage_read(usage, feature.key, after.available)
