"""The read side of workspaces: workspaces, their collaborators and projects as the API shows
them, for the query handlers and for the commands that answer with the same shapes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import NotFound
from visionscope.building_blocks.messages import Actor, ApiKeyActor, Role
from visionscope.building_blocks.pagination import decode_cursor, encode_cursor
from visionscope.features.billing.public import pending_tier_change, tier_key
from visionscope.features.identity.public import user_profiles
from visionscope.features.workspaces.models import Collaborator, MemberStatus, Project, Workspace
from visionscope.features.workspaces.public import role_of
from visionscope.features.workspaces.schemas import CollaboratorRead, ProjectRead, WorkspaceRead


async def collaborator_reads(
    session: AsyncSession, members: Sequence[Collaborator]
) -> list[CollaboratorRead]:
    profiles = await user_profiles(session, [m.user_id for m in members])
    return [
        CollaboratorRead(
            user_id=m.user_id,
            name=profiles[m.user_id][0],
            email=profiles[m.user_id][1],
            role=m.role,
            invited_by=m.invited_by,
            created_at=m.created_at,
        )
        for m in members
    ]


async def read_workspace(session: AsyncSession, workspace_id: uuid.UUID, role: Role) -> WorkspaceRead:
    ws = await session.scalar(
        select(Workspace).where(Workspace.id == workspace_id, Workspace.deleted_at.is_(None))
    )
    if ws is None:
        raise NotFound(f"No workspace with id {workspace_id}.")
    return WorkspaceRead(
        id=ws.id,
        name=ws.name,
        tier=await tier_key(session, ws.tier_id),
        owner_id=ws.owner_id,
        role=role.label,
        period_start=ws.period_start,
        period_end=ws.period_end,
        created_at=ws.created_at,
        pending_tier_change=await pending_tier_change(session, ws.id),
    )


async def _role(session: AsyncSession, actor: Actor, workspace_id: uuid.UUID) -> Role:
    role = await role_of(session, actor, workspace_id)
    if role is None:
        raise NotFound(f"No workspace with id {workspace_id}.")
    return role


async def workspaces_of(session: AsyncSession, actor: Actor) -> list[WorkspaceRead]:
    """The workspaces a user belongs to, oldest first; an API key's own workspace."""
    if isinstance(actor, ApiKeyActor):
        return [await read_workspace(session, actor.workspace_id, actor.role)]
    rows = await session.execute(
        select(Workspace.id, Collaborator.role)
        .join(
            Collaborator,
            and_(
                Collaborator.workspace_id == Workspace.id,
                Collaborator.user_id == actor.user_id,
                Collaborator.status == MemberStatus.ACTIVE,
            ),
        )
        .where(Workspace.deleted_at.is_(None))
        .order_by(Workspace.created_at)
    )
    return [await read_workspace(session, ws_id, Role.parse(role)) for ws_id, role in rows.all()]


async def workspace_seen_by(session: AsyncSession, actor: Actor, workspace_id: uuid.UUID) -> WorkspaceRead:
    """A workspace with the actor's role in it; 404 when the actor is not in it."""
    return await read_workspace(session, workspace_id, await _role(session, actor, workspace_id))


async def collaborators(session: AsyncSession, workspace_id: uuid.UUID) -> list[CollaboratorRead]:
    members = list(
        (
            await session.scalars(
                select(Collaborator)
                .where(
                    Collaborator.workspace_id == workspace_id,
                    Collaborator.status == MemberStatus.ACTIVE,
                )
                .order_by(Collaborator.created_at)
            )
        ).all()
    )
    return await collaborator_reads(session, members)


async def projects_page(
    session: AsyncSession, workspace_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[ProjectRead], str | None]:
    """A page of the workspace's projects, oldest first, and the cursor of the next page."""
    statement = (
        select(Project)
        .where(Project.workspace_id == workspace_id, Project.archived_at.is_(None))
        .order_by(Project.created_at, Project.id)
        .limit(limit + 1)
    )
    if cursor:
        created, last_id = decode_cursor(cursor)
        statement = statement.where(
            or_(Project.created_at > created, and_(Project.created_at == created, Project.id > last_id))
        )
    rows = list((await session.scalars(statement)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        ProjectRead(id=p.id, workspace_id=p.workspace_id, name=p.name, created_at=p.created_at) for p in rows
    ]
    return items, (encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None)


async def project(session: AsyncSession, project_id: uuid.UUID) -> ProjectRead:
    found = await session.get(Project, project_id)
    if found is None or found.archived_at is not None:
        raise NotFound(f"No project with id {project_id}.")
    return ProjectRead(
        id=found.id, workspace_id=found.workspace_id, name=found.name, created_at=found.created_at
    )
