"""Workspace queries: each selects straight into its read model."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.caching import WORKSPACE, CachePolicy
from visionscope.building_blocks.errors import NotFound
from visionscope.building_blocks.messages import (
    Access,
    Actor,
    ApiKeyActor,
    Query,
    Role,
    UserActor,
    in_project,
    in_workspace,
)
from visionscope.building_blocks.pagination import decode_cursor, encode_cursor
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing.models import PricingTier
from visionscope.features.billing.public import pending_tier_change
from visionscope.features.identity.public import user_profiles
from visionscope.features.workspaces.models import Collaborator, Project, Workspace
from visionscope.features.workspaces.public import role_of
from visionscope.features.workspaces.schemas import CollaboratorRead, ProjectRead, WorkspaceRead


@dataclass(frozen=True, kw_only=True)
class ListWorkspaces(Query[list[WorkspaceRead]]):
    """The workspaces the actor can see: a user's memberships, or an API key's own workspace."""

    access = Access()
    actor: UserActor | ApiKeyActor


@dataclass(frozen=True, kw_only=True)
class GetWorkspace(Query[WorkspaceRead]):
    access = in_workspace(Role.VIEWER)
    cache: ClassVar[CachePolicy] = CachePolicy(ttl=60, tags=(WORKSPACE,))
    workspace_id: uuid.UUID
    actor: UserActor | ApiKeyActor


@dataclass(frozen=True, kw_only=True)
class ListCollaborators(Query[list[CollaboratorRead]]):
    access = in_workspace(Role.VIEWER)
    workspace_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ListProjects(Query[tuple[list[ProjectRead], str | None]]):
    access = in_workspace(Role.VIEWER)
    cache: ClassVar[CachePolicy] = CachePolicy(ttl=60, tags=(WORKSPACE,))
    workspace_id: uuid.UUID
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, kw_only=True)
class GetProject(Query[ProjectRead]):
    access = in_project(Role.VIEWER)
    project_id: uuid.UUID


async def read_workspace(session: AsyncSession, workspace_id: uuid.UUID, role: Role) -> WorkspaceRead:
    row = (
        await session.execute(
            select(Workspace, PricingTier.key)
            .join(PricingTier, PricingTier.id == Workspace.tier_id)
            .where(Workspace.id == workspace_id, Workspace.deleted_at.is_(None))
        )
    ).first()
    if row is None:
        raise NotFound(f"No workspace with id {workspace_id}.")
    ws, tier = row
    return WorkspaceRead(
        id=ws.id,
        name=ws.name,
        tier=tier,
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


async def list_workspaces(query: ListWorkspaces, *, uow: UnitOfWork) -> list[WorkspaceRead]:
    actor = query.actor
    if isinstance(actor, ApiKeyActor):
        return [await read_workspace(uow.session, actor.workspace_id, actor.role)]
    rows = await uow.session.execute(
        select(Workspace.id, Collaborator.role)
        .join(
            Collaborator,
            and_(
                Collaborator.workspace_id == Workspace.id,
                Collaborator.user_id == actor.user_id,
                Collaborator.status == "active",
            ),
        )
        .where(Workspace.deleted_at.is_(None))
        .order_by(Workspace.created_at)
    )
    return [await read_workspace(uow.session, ws_id, Role.parse(role)) for ws_id, role in rows.all()]


async def get_workspace(query: GetWorkspace, *, uow: UnitOfWork) -> WorkspaceRead:
    role = await _role(uow.session, query.actor, query.workspace_id)
    return await read_workspace(uow.session, query.workspace_id, role)


async def list_collaborators(query: ListCollaborators, *, uow: UnitOfWork) -> list[CollaboratorRead]:
    members = list(
        (
            await uow.session.scalars(
                select(Collaborator)
                .where(Collaborator.workspace_id == query.workspace_id, Collaborator.status == "active")
                .order_by(Collaborator.created_at)
            )
        ).all()
    )
    profiles = await user_profiles(uow.session, [m.user_id for m in members])
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


async def list_projects(query: ListProjects, *, uow: UnitOfWork) -> tuple[list[ProjectRead], str | None]:
    statement = (
        select(Project)
        .where(Project.workspace_id == query.workspace_id, Project.archived_at.is_(None))
        .order_by(Project.created_at, Project.id)
        .limit(query.limit + 1)
    )
    if query.cursor:
        created, last_id = decode_cursor(query.cursor)
        statement = statement.where(
            or_(Project.created_at > created, and_(Project.created_at == created, Project.id > last_id))
        )
    rows = list((await uow.session.scalars(statement)).all())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    items = [
        ProjectRead(id=p.id, workspace_id=p.workspace_id, name=p.name, created_at=p.created_at) for p in rows
    ]
    return items, (encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None)


async def get_project(query: GetProject, *, uow: UnitOfWork) -> ProjectRead:
    project = await uow.session.get(Project, query.project_id)
    if project is None or project.archived_at is not None:
        raise NotFound(f"No project with id {query.project_id}.")
    return ProjectRead(
        id=project.id, workspace_id=project.workspace_id, name=project.name, created_at=project.created_at
    )
