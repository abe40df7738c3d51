"""A workspace's billing columns: its tier and its current period.

The workspace is the billing unit: its row holds the tier and the period. Billing reads and moves
them only through these functions (offered by the workspaces' public module).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.features.workspaces.models import Project, Workspace


@dataclass(frozen=True)
class Account:
    """A workspace as billing sees it."""

    workspace_id: uuid.UUID
    tier_id: uuid.UUID
    period_start: datetime
    period_end: datetime
    deleted: bool


_COLUMNS = (
    Workspace.id,
    Workspace.tier_id,
    Workspace.period_start,
    Workspace.period_end,
    Workspace.deleted_at.is_not(None),
)


async def account(session: AsyncSession, workspace_id: uuid.UUID, *, lock: bool = False) -> Account | None:
    statement = select(*_COLUMNS).where(Workspace.id == workspace_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).first()
    return Account(*row) if row else None


async def live_accounts_on_tier(
    session: AsyncSession, tier_id: uuid.UUID, *, lock: bool = False
) -> list[Account]:
    """Live workspaces on a tier; with ``lock`` their rows are locked (in id order) before their pools."""
    statement = (
        select(*_COLUMNS)
        .where(Workspace.tier_id == tier_id, Workspace.deleted_at.is_(None))
        .order_by(Workspace.id)
    )
    if lock:
        statement = statement.with_for_update()
    return [Account(*row) for row in await session.execute(statement)]


async def accounts_due(session: AsyncSession, now: datetime, limit: int) -> list[Account]:
    """Live workspaces whose period has ended, locked; rows another renewer holds are skipped.

    The lock is FOR NO KEY UPDATE: a renewal changes no key, so rows that other transactions only
    reference (a usage row or a notice being inserted takes FOR KEY SHARE on its workspace) are
    renewed now instead of being skipped as if another renewer held them.
    """
    rows = await session.execute(
        select(*_COLUMNS)
        .where(Workspace.period_end <= now, Workspace.deleted_at.is_(None))
        .order_by(Workspace.period_end, Workspace.id)
        .limit(limit)
        .with_for_update(skip_locked=True, key_share=True)
    )
    return [Account(*row) for row in rows]


async def move_to_tier(
    session: AsyncSession, workspace_id: uuid.UUID, tier_id: uuid.UUID, now: datetime
) -> None:
    await session.execute(
        update(Workspace).where(Workspace.id == workspace_id).values(tier_id=tier_id, updated_at=now),
        execution_options={"synchronize_session": False},
    )


async def start_period(
    session: AsyncSession, workspace_id: uuid.UUID, start: datetime, end: datetime, now: datetime
) -> None:
    await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(period_start=start, period_end=end, updated_at=now),
        execution_options={"synchronize_session": False},
    )


async def workspaces_on_tier(session: AsyncSession, tier_id: uuid.UUID) -> int:
    """Every workspace row on a tier, deleted ones included (they still reference it)."""
    return int(await session.scalar(select(func.count()).where(Workspace.tier_id == tier_id)) or 0)


async def project_names(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Project.id, Project.name).where(Project.id.in_(ids)))
    return {row[0]: row[1] for row in rows}


async def tiers_of(session: AsyncSession, workspace_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """The tier each workspace is on now."""
    if not workspace_ids:
        return {}
    rows = await session.execute(
        select(Workspace.id, Workspace.tier_id).where(Workspace.id.in_(workspace_ids))
    )
    return {row[0]: row[1] for row in rows}
