"""What the building blocks and other features may ask of workspaces: scopes, roles, and the
billing columns (tier and period) that billing reads and moves."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.messages import Actor, ApiKeyActor, Role, UserActor
from visionscope.features.workspaces.billing_accounts import Account as Account
from visionscope.features.workspaces.billing_accounts import account as account
from visionscope.features.workspaces.billing_accounts import accounts_due as accounts_due
from visionscope.features.workspaces.billing_accounts import live_accounts_on_tier as live_accounts_on_tier
from visionscope.features.workspaces.billing_accounts import move_to_tier as move_to_tier
from visionscope.features.workspaces.billing_accounts import project_names as project_names
from visionscope.features.workspaces.billing_accounts import start_period as start_period
from visionscope.features.workspaces.billing_accounts import tiers_of as tiers_of
from visionscope.features.workspaces.billing_accounts import workspaces_on_tier as workspaces_on_tier
from visionscope.features.workspaces.models import Collaborator, MemberStatus, Project, Workspace


async def live_workspace(session: AsyncSession, workspace_id: uuid.UUID) -> uuid.UUID | None:
    """The id back when the workspace exists and is not deleted."""
    found: uuid.UUID | None = await session.scalar(
        select(Workspace.id).where(Workspace.id == workspace_id, Workspace.deleted_at.is_(None))
    )
    return found


async def workspace_of_project(session: AsyncSession, project_id: uuid.UUID) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(Project.workspace_id)
        .join(Workspace, Workspace.id == Project.workspace_id)
        .where(Project.id == project_id, Project.archived_at.is_(None), Workspace.deleted_at.is_(None))
    )
    return found


async def membership(session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID) -> Role | None:
    """The user's role in a live workspace, or None."""
    label = await session.scalar(
        select(Collaborator.role)
        .join(Workspace, Workspace.id == Collaborator.workspace_id)
        .where(
            Collaborator.workspace_id == workspace_id,
            Collaborator.user_id == user_id,
            Collaborator.status == MemberStatus.ACTIVE,
            Workspace.deleted_at.is_(None),
        )
    )
    return Role.parse(label) if label else None


async def role_of(session: AsyncSession, actor: Actor, workspace_id: uuid.UUID) -> Role | None:
    """The role an actor holds in a workspace; an API key holds its own role in its own workspace only."""
    if isinstance(actor, UserActor):
        return await membership(session, workspace_id, actor.user_id)
    if isinstance(actor, ApiKeyActor) and actor.workspace_id == workspace_id:
        return actor.role
    return None


async def owned_workspaces(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(Workspace.id).where(Workspace.owner_id == user_id, Workspace.deleted_at.is_(None))
    )
    return list(rows)


async def end_memberships(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> int:
    """Remove a user from every workspace (their account is closing); answers how many."""
    result = await session.execute(
        update(Collaborator)
        .where(Collaborator.user_id == user_id, Collaborator.status == MemberStatus.ACTIVE)
        .values(status=MemberStatus.REMOVED, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def workspace_names(session: AsyncSession, ids: list[uuid.UUID]) -> list[str]:
    rows = await session.scalars(select(Workspace.name).where(Workspace.id.in_(ids)).order_by(Workspace.name))
    return list(rows)


async def tier_of(session: AsyncSession, workspace_id: uuid.UUID) -> uuid.UUID | None:
    """The tier a live workspace is on."""
    found: uuid.UUID | None = await session.scalar(
        select(Workspace.tier_id).where(Workspace.id == workspace_id, Workspace.deleted_at.is_(None))
    )
    return found


async def live_workspace_name(session: AsyncSession, workspace_id: uuid.UUID) -> str | None:
    """The workspace's name, or None once it is deleted."""
    found: str | None = await session.scalar(
        select(Workspace.name).where(Workspace.id == workspace_id, Workspace.deleted_at.is_(None))
    )
    return found


async def member_roles(session: AsyncSession, workspace_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """The workspace's active collaborators and their roles, in the order they joined."""
    rows = await session.execute(
        select(Collaborator.user_id, Collaborator.role)
        .where(Collaborator.workspace_id == workspace_id, Collaborator.status == MemberStatus.ACTIVE)
        .order_by(Collaborator.created_at)
    )
    return [(row[0], row[1]) for row in rows]
