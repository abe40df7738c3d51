"""Settlement: a reservation captured (what was really used) or released, alone or in bulk.

Settling works on frozen pools too: work accepted before a feature left the tier still settles.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import Conflict, InvalidInput, NotFound
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing import pools
from visionscope.features.billing.events import CreditsCaptured, CreditsReleased
from visionscope.features.billing.metering import (
    USAGE_COLUMNS,
    Usage,
    first_entry,
    usage_by_key,
    usage_of,
    usage_read,
)
from visionscope.features.billing.models import UsageLog, UsageState
from visionscope.features.billing.offers import Feature, features_by_id
from visionscope.features.billing.schemas import UsageRead


async def _reservation(uow: UnitOfWork, workspace_id: uuid.UUID, key: str) -> tuple[Usage, Feature, int]:
    usage = await usage_by_key(uow.session, workspace_id, key, lock=True)
    if usage is None:
        raise NotFound(f"No reservation with idempotency key {key!r} in this workspace.")
    kind, _, available_after = await first_entry(uow.session, usage.id)
    if kind != "reservation":
        raise Conflict("That idempotency key names a charge, not a reservation.", idempotency_key=key)
    feature = (await features_by_id(uow.session, [usage.feature_id]))[usage.feature_id]
    return usage, feature, available_after


async def capture(
    uow: UnitOfWork, workspace_id: uuid.UUID, key: str, quantity: int, *, now: datetime
) -> UsageRead:
    """Use ``quantity`` units of a reservation (at the cost it was reserved at); release the rest."""
    usage, feature, available_after = await _reservation(uow, workspace_id, key)
    if usage.state == UsageState.CAPTURED:
        return usage_read(usage, feature.key, available_after)
    if usage.state == UsageState.RELEASED:
        raise Conflict("That reservation was already released; nothing is left to capture.")
    credits = quantity * usage.unit_cost
    if credits > usage.credits:
        raise InvalidInput(
            f"Capturing {credits} credits is more than the {usage.credits} reserved.",
            errors=[{"field": "quantity", "message": "more than reserved"}],
        )
    pool = await pools.balance(uow.session, workspace_id, usage.feature_id)
    assert pool is not None
    after = await pools.settle(uow.session, pool.pool_id, reserved=usage.credits, captured=credits, now=now)
    rest = usage.credits - credits
    await pools.write_entry(
        uow.session,
        after.pool_id,
        after.available - rest,
        kind="capture",
        credits=credits,
        change=0,
        note=usage.operation,
        now=now,
        usage_id=usage.id,
    )
    if rest:
        await pools.write_entry(
            uow.session,
            after.pool_id,
            after.available,
            kind="release",
            credits=rest,
            change=rest,
            note="unused part of the reservation",
            now=now,
            usage_id=usage.id,
        )
    await _set_state(
        uow.session, usage.id, state=UsageState.CAPTURED, quantity=quantity, credits=credits, now=now
    )
    uow.record(
        CreditsCaptured(
            workspace_id=workspace_id,
            feature=feature.key,
            usage_id=usage.id,
            credits=credits,
            released=rest,
            immediate=False,
            available=after.available,
        )
    )
    settled = replace(usage, state=UsageState.CAPTURED, quantity=quantity, credits=credits, settled_at=now)
    return usage_read(settled, feature.key, available_after)


async def release(uow: UnitOfWork, workspace_id: uuid.UUID, key: str, *, now: datetime) -> UsageRead:
    usage, feature, available_after = await _reservation(uow, workspace_id, key)
    if usage.state == UsageState.CAPTURED:
        raise Conflict("That reservation was already captured.")
    if usage.state == UsageState.RESERVED:
        await _give_back(uow, usage, feature.key, reason="released", now=now)
        usage = replace(usage, state=UsageState.RELEASED, settled_at=now)
    return usage_read(usage, feature.key, available_after)


async def _give_back(uow: UnitOfWork, usage: Usage, feature: str, *, reason: str, now: datetime) -> None:
    pool = await pools.balance(uow.session, usage.workspace_id, usage.feature_id)
    assert pool is not None
    after = await pools.settle(uow.session, pool.pool_id, reserved=usage.credits, captured=0, now=now)
    await pools.write_entry(
        uow.session,
        after.pool_id,
        after.available,
        kind="release",
        credits=usage.credits,
        change=usage.credits,
        note=reason,
        now=now,
        usage_id=usage.id,
    )
    await _set_state(
        uow.session,
        usage.id,
        state=UsageState.RELEASED,
        quantity=usage.quantity,
        credits=usage.credits,
        now=now,
    )
    uow.record(
        CreditsReleased(
            workspace_id=usage.workspace_id,
            feature=feature,
            usage_id=usage.id,
            credits=usage.credits,
            reason=reason,
        )
    )


async def _set_state(
    session: AsyncSession,
    usage_id: uuid.UUID,
    *,
    state: UsageState,
    quantity: int,
    credits: int,
    now: datetime,
) -> None:
    await session.execute(
        update(UsageLog)
        .where(UsageLog.id == usage_id)
        .values(state=state, quantity=quantity, credits=credits, settled_at=now),
        execution_options={"synchronize_session": False},
    )


async def release_open(
    uow: UnitOfWork,
    condition: ColumnElement[bool],
    *,
    reason: str,
    now: datetime,
    limit: int | None = None,
) -> int:
    """Release every open reservation matching ``condition`` (rows locked elsewhere are skipped)."""
    statement = (
        select(*USAGE_COLUMNS)
        .where(UsageLog.state == UsageState.RESERVED, condition)
        .order_by(UsageLog.created_at, UsageLog.id)
        .with_for_update(skip_locked=True)
    )
    if limit is not None:
        statement = statement.limit(limit)
    open_ones = [usage_of(row) for row in await uow.session.execute(statement)]
    features = await features_by_id(uow.session, sorted({u.feature_id for u in open_ones}))
    for usage in open_ones:
        await _give_back(uow, usage, features[usage.feature_id].key, reason=reason, now=now)
    return len(open_ones)
