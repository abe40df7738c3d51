"""Credit pools: every move of credits is one conditional UPDATE and the statement line it writes.

The database guarantees that no pool is overspent: a debit is
``UPDATE ... WHERE granted + purchased - used - reserved >= :n`` and CHECK constraints forbid a
negative balance, so concurrent charges cannot both take the last credit. The statement line is
written in the same transaction, while the pool row is locked by that UPDATE, so lines are numbered
in the order the pool changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.features.billing.models import CreditPool, LedgerEntry

LOW_PERCENT = 10  # a pool is low under this share of its granted plus purchased credits


@dataclass(frozen=True)
class Balance:
    """A pool's columns at one moment."""

    pool_id: uuid.UUID
    feature_id: uuid.UUID
    status: str
    granted: int
    purchased: int
    used: int
    reserved: int
    used_from_grant: int

    @property
    def available(self) -> int:
        return self.granted + self.purchased - self.used - self.reserved

    @property
    def grant_left(self) -> int:
        """Grant not yet used (part of it may be held by reservations)."""
        return self.granted - self.used_from_grant

    @property
    def purchased_left(self) -> int:
        return self.purchased - (self.used - self.used_from_grant)

    @property
    def low_threshold(self) -> int:
        return max(1, (self.granted + self.purchased) * LOW_PERCENT // 100)


def _balance(row: Any) -> Balance:
    return Balance(*row)


_BALANCE = (
    CreditPool.id,
    CreditPool.feature_id,
    CreditPool.status,
    CreditPool.granted,
    CreditPool.purchased,
    CreditPool.used,
    CreditPool.reserved,
    CreditPool.used_from_grant,
)
_NO_SYNC: dict[str, Any] = {"synchronize_session": False}


def available_column() -> ColumnElement[int]:
    return CreditPool.granted + CreditPool.purchased - CreditPool.used - CreditPool.reserved


def _amount(credits: int) -> ColumnElement[int]:
    return literal(credits, BigInteger())


def _grant_share(credits: int) -> ColumnElement[int]:
    """How much of ``credits`` the unused grant covers: the monthly grant is spent first."""
    grant_left = CreditPool.granted - CreditPool.used_from_grant
    return case((grant_left >= _amount(credits), _amount(credits)), else_=grant_left)


async def balance(
    session: AsyncSession, workspace_id: uuid.UUID, feature_id: uuid.UUID, *, lock: bool = False
) -> Balance | None:
    statement = select(*_BALANCE).where(
        CreditPool.workspace_id == workspace_id, CreditPool.feature_id == feature_id
    )
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).first()
    return _balance(row) if row else None


async def balances(
    session: AsyncSession, workspace_id: uuid.UUID, *, lock: bool = False, with_closed: bool = False
) -> dict[uuid.UUID, Balance]:
    """A workspace's pools by feature id; locked in id order, so that lockers never deadlock."""
    statement = select(*_BALANCE).where(CreditPool.workspace_id == workspace_id).order_by(CreditPool.id)
    if not with_closed:
        statement = statement.where(CreditPool.status != "closed")
    if lock:
        statement = statement.with_for_update()
    return {row[1]: _balance(row) for row in await session.execute(statement)}


async def balance_by_id(session: AsyncSession, pool_id: uuid.UUID) -> Balance:
    return _balance((await session.execute(select(*_BALANCE).where(CreditPool.id == pool_id))).one())


async def open_pool(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    feature_id: uuid.UUID,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
) -> Balance:
    """An empty active pool; grants are added (and written to the statement) by ``add``."""
    pool_id = uuid.uuid4()
    await session.execute(
        insert(CreditPool).values(
            id=pool_id,
            workspace_id=workspace_id,
            feature_id=feature_id,
            granted=0,
            purchased=0,
            used=0,
            reserved=0,
            used_from_grant=0,
            status="active",
            period_start=period_start,
            period_end=period_end,
            created_at=now,
            updated_at=now,
        )
    )
    return Balance(pool_id, feature_id, "active", 0, 0, 0, 0, 0)


async def take(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    feature_id: uuid.UUID,
    credits: int,
    reserve: bool,
    now: datetime,
) -> Balance | None:
    """Reserve or use ``credits`` of an active pool if it has them; None when it does not."""
    amount = _amount(credits)
    moved: dict[str, Any] = (
        {"reserved": CreditPool.reserved + amount}
        if reserve
        else {
            "used": CreditPool.used + amount,
            "used_from_grant": CreditPool.used_from_grant + _grant_share(credits),
        }
    )
    statement = (
        update(CreditPool)
        .where(
            CreditPool.workspace_id == workspace_id,
            CreditPool.feature_id == feature_id,
            CreditPool.status == "active",
            available_column() >= amount,
        )
        .values(**moved, updated_at=now)
        .returning(*_BALANCE)
    )
    row = (await session.execute(statement, execution_options=_NO_SYNC)).first()
    return _balance(row) if row else None


async def settle(
    session: AsyncSession, pool_id: uuid.UUID, *, reserved: int, captured: int, now: datetime
) -> Balance:
    """End a reservation of ``reserved`` credits, using ``captured`` of them and giving the rest back.

    Settling works on frozen pools too: work accepted before a feature was removed still settles.
    """
    statement = (
        update(CreditPool)
        .where(CreditPool.id == pool_id, CreditPool.reserved >= _amount(reserved))
        .values(
            reserved=CreditPool.reserved - _amount(reserved),
            used=CreditPool.used + _amount(captured),
            used_from_grant=CreditPool.used_from_grant + _grant_share(captured),
            updated_at=now,
        )
        .returning(*_BALANCE)
    )
    row = (await session.execute(statement, execution_options=_NO_SYNC)).first()
    if row is None:
        raise RuntimeError(f"pool {pool_id} holds less than the {reserved} credits a reservation holds")
    return _balance(row)


async def add(
    session: AsyncSession, pool_id: uuid.UUID, *, grant: int = 0, purchase: int = 0, now: datetime
) -> Balance:
    statement = (
        update(CreditPool)
        .where(CreditPool.id == pool_id)
        .values(
            granted=CreditPool.granted + _amount(grant),
            purchased=CreditPool.purchased + _amount(purchase),
            updated_at=now,
        )
        .returning(*_BALANCE)
    )
    return _balance((await session.execute(statement, execution_options=_NO_SYNC)).one())


async def overwrite(session: AsyncSession, pool: Balance, now: datetime, **values: Any) -> Balance:
    """Set columns of a pool this transaction holds locked (renewals, freezing)."""
    statement = (
        update(CreditPool)
        .where(CreditPool.id == pool.pool_id)
        .values(**values, updated_at=now)
        .returning(*_BALANCE)
    )
    return _balance((await session.execute(statement, execution_options=_NO_SYNC)).one())


async def write_entry(
    session: AsyncSession,
    pool_id: uuid.UUID,
    balance_after: int,
    *,
    kind: str,
    credits: int,
    change: int,
    note: str,
    now: datetime,
    usage_id: uuid.UUID | None = None,
    idempotency_key: str | None = None,
) -> int:
    """Add a statement line for a move that left the pool's available credits at ``balance_after``.

    Returns the line's number.
    """
    entry_id: int = (
        await session.execute(
            insert(LedgerEntry)
            .values(
                pool_id=pool_id,
                kind=kind,
                credits=credits,
                change=change,
                balance=balance_after,
                note=note[:200],
                usage_id=usage_id,
                idempotency_key=idempotency_key,
                created_at=now,
            )
            .returning(LedgerEntry.id)
        )
    ).scalar_one()
    return entry_id


def fell_low(after: Balance, taken: int) -> bool:
    """Did taking ``taken`` credits move the pool from at or above its threshold to below it?"""
    threshold = after.low_threshold
    return after.available + taken >= threshold > after.available
