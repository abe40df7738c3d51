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
from typing import Any, cast

from sqlalchemy import BigInteger, ColumnElement, Table, and_, bindparam, case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.db import UtcDateTime
from visionscope.features.billing.models import CreditPool, LedgerEntry, PoolStatus

LOW_PERCENT = 10  # a pool is low under this share of its granted plus purchased credits


@dataclass(frozen=True)
class Balance:
    """A pool's columns at one moment."""

    pool_id: uuid.UUID
    feature_id: uuid.UUID
    status: PoolStatus
    granted: int
    purchased: int
    used: int
    reserved: int
    used_from_grant: int

    @property
    def usable(self) -> bool:
        """Credits can be spent from it: the tier offers its feature and the workspace is live."""
        return self.status == PoolStatus.ACTIVE

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


POOLS = cast(Table, CreditPool.__table__)
LEDGER = cast(Table, LedgerEntry.__table__)
_pool = POOLS.c
_BALANCE = (
    _pool.id,
    _pool.feature_id,
    _pool.status,
    _pool.granted,
    _pool.purchased,
    _pool.used,
    _pool.reserved,
    _pool.used_from_grant,
)


def available_column() -> ColumnElement[int]:
    return _pool.granted + _pool.purchased - _pool.used - _pool.reserved


def _grant_share(credits: ColumnElement[int]) -> ColumnElement[int]:
    """How much of ``credits`` the unused grant covers: the monthly grant is spent first."""
    grant_left = _pool.granted - _pool.used_from_grant
    return case((grant_left >= credits, credits), else_=grant_left)


# The hot path is built once: a debit is one statement with bound values, no ORM on the way.
_N = bindparam("n", type_=BigInteger())
_NOW = bindparam("now", type_=UtcDateTime())
_HAS_CREDITS = and_(
    _pool.workspace_id == bindparam("in_workspace"),
    _pool.feature_id == bindparam("for_feature"),
    _pool.status == PoolStatus.ACTIVE,
    available_column() >= _N,
)
_RESERVE = update(POOLS).where(_HAS_CREDITS).values(reserved=_pool.reserved + _N, updated_at=_NOW)
_USE = (
    update(POOLS)
    .where(_HAS_CREDITS)
    .values(used=_pool.used + _N, used_from_grant=_pool.used_from_grant + _grant_share(_N), updated_at=_NOW)
)
_TAKE = {True: _RESERVE.returning(*_BALANCE), False: _USE.returning(*_BALANCE)}
_HELD = bindparam("held", type_=BigInteger())
_SETTLE = (
    update(POOLS)
    .where(_pool.id == bindparam("pool_id"), _pool.reserved >= _HELD)
    .values(
        reserved=_pool.reserved - _HELD,
        used=_pool.used + _N,
        used_from_grant=_pool.used_from_grant + _grant_share(_N),
        updated_at=_NOW,
    )
    .returning(*_BALANCE)
)
_ADD = (
    update(POOLS)
    .where(_pool.id == bindparam("pool_id"))
    .values(
        granted=_pool.granted + bindparam("grant", type_=BigInteger()),
        purchased=_pool.purchased + bindparam("purchase", type_=BigInteger()),
        updated_at=_NOW,
    )
    .returning(*_BALANCE)
)
_ENTRY = insert(LEDGER).returning(LEDGER.c.id)


async def balance(
    session: AsyncSession, workspace_id: uuid.UUID, feature_id: uuid.UUID, *, lock: bool = False
) -> Balance | None:
    statement = select(*_BALANCE).where(_pool.workspace_id == workspace_id, _pool.feature_id == feature_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).first()
    return _balance(row) if row else None


async def balances(
    session: AsyncSession, workspace_id: uuid.UUID, *, lock: bool = False, with_closed: bool = False
) -> dict[uuid.UUID, Balance]:
    """A workspace's pools by feature id; locked in id order, so that lockers never deadlock."""
    statement = select(*_BALANCE).where(_pool.workspace_id == workspace_id).order_by(_pool.id)
    if not with_closed:
        statement = statement.where(_pool.status != PoolStatus.CLOSED)
    if lock:
        statement = statement.with_for_update()
    return {row[1]: _balance(row) for row in await session.execute(statement)}


async def balance_by_id(session: AsyncSession, pool_id: uuid.UUID) -> Balance:
    return _balance((await session.execute(select(*_BALANCE).where(_pool.id == pool_id))).one())


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
        insert(POOLS).values(
            id=pool_id,
            workspace_id=workspace_id,
            feature_id=feature_id,
            granted=0,
            purchased=0,
            used=0,
            reserved=0,
            used_from_grant=0,
            status=PoolStatus.ACTIVE,
            period_start=period_start,
            period_end=period_end,
            created_at=now,
            updated_at=now,
        )
    )
    return Balance(pool_id, feature_id, PoolStatus.ACTIVE, 0, 0, 0, 0, 0)


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
    values = {"in_workspace": workspace_id, "for_feature": feature_id, "n": credits, "now": now}
    row = (await session.execute(_TAKE[reserve], values)).first()
    return _balance(row) if row else None


async def settle(
    session: AsyncSession, pool_id: uuid.UUID, *, reserved: int, captured: int, now: datetime
) -> Balance:
    """End a reservation of ``reserved`` credits, using ``captured`` of them and giving the rest back.

    Settling works on frozen pools too: work accepted before a feature was removed still settles.
    """
    values = {"pool_id": pool_id, "held": reserved, "n": captured, "now": now}
    row = (await session.execute(_SETTLE, values)).first()
    if row is None:
        raise RuntimeError(f"pool {pool_id} holds less than the {reserved} credits a reservation holds")
    return _balance(row)


async def add(
    session: AsyncSession, pool_id: uuid.UUID, *, grant: int = 0, purchase: int = 0, now: datetime
) -> Balance:
    values = {"pool_id": pool_id, "grant": grant, "purchase": purchase, "now": now}
    return _balance((await session.execute(_ADD, values)).one())


async def overwrite(session: AsyncSession, pool: Balance, now: datetime, **values: Any) -> Balance:
    """Set columns of a pool this transaction holds locked (renewals, freezing)."""
    statement = update(POOLS).where(_pool.id == pool.pool_id).values(**values, updated_at=now)
    return _balance((await session.execute(statement.returning(*_BALANCE))).one())


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
    values = {
        "pool_id": pool_id,
        "kind": kind,
        "credits": credits,
        "change": change,
        "balance": balance_after,
        "note": note[:200],
        "usage_id": usage_id,
        "idempotency_key": idempotency_key,
        "created_at": now,
    }
    entry_id: int = (await session.execute(_ENTRY, values)).scalar_one()
    return entry_id


def fell_low(after: Balance, taken: int) -> bool:
    """Did taking ``taken`` credits move the pool from at or above its threshold to below it?"""
    threshold = after.low_threshold
    return after.available + taken >= threshold > after.available
