"""Workspace routes: workspaces, collaborators, ownership, projects."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from visionscope.building_blocks.errors import Unauthenticated
from visionscope.building_blocks.mediator import Context
from visionscope.building_blocks.messages import Actor, Role, acting_user
from visionscope.building_blocks.web import ContextDep, MediatorDep, PageDep, page_of
from visionscope.features.workspaces.commands import (
    AddCollaborator,
    ChangeCollaboratorRole,
    CreateProject,
    CreateWorkspace,
    DeleteProject,
    DeleteWorkspace,
    LeaveWorkspace,
    RemoveCollaborator,
    RenameWorkspace,
    TransferOwnership,
)
from visionscope.features.workspaces.queries import (
    GetProject,
    GetWorkspace,
    ListCollaborators,
    ListProjects,
    ListWorkspaces,
)
from visionscope.features.workspaces.schemas import (
    CollaboratorCreate,
    CollaboratorRead,
    CollaboratorUpdate,
    OwnerChange,
    ProjectCreate,
    ProjectRead,
    WorkspaceCreate,
    WorkspaceRead,
    WorkspaceUpdate,
)

router = APIRouter(prefix="/v1", tags=["workspaces"])
NO_CONTENT = status.HTTP_204_NO_CONTENT


def _actor(ctx: Context) -> Actor:
    if ctx.actor is None:
        raise Unauthenticated("Sign in, or send an API key.")
    return ctx.actor


def _user(ctx: Context) -> uuid.UUID:
    return acting_user(_actor(ctx)) or uuid.UUID(int=0)


@router.post("/workspaces", status_code=status.HTTP_201_CREATED)
async def create_workspace(body: WorkspaceCreate, mediator: MediatorDep, ctx: ContextDep) -> WorkspaceRead:
    return await mediator.send(CreateWorkspace(name=body.name, tier=body.tier, owner_id=_user(ctx)), ctx)


@router.get("/workspaces")
async def list_workspaces(mediator: MediatorDep, ctx: ContextDep) -> dict[str, Any]:
    return page_of(await mediator.send(ListWorkspaces(actor=_actor(ctx)), ctx), None)


@router.get("/workspaces/{workspace_id}")
async def get_workspace(workspace_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> WorkspaceRead:
    return await mediator.send(GetWorkspace(workspace_id=workspace_id, actor=_actor(ctx)), ctx)


@router.patch("/workspaces/{workspace_id}")
async def rename_workspace(
    workspace_id: uuid.UUID, body: WorkspaceUpdate, mediator: MediatorDep, ctx: ContextDep
) -> WorkspaceRead:
    return await mediator.send(RenameWorkspace(workspace_id=workspace_id, name=body.name), ctx)


@router.delete("/workspaces/{workspace_id}", status_code=NO_CONTENT)
async def delete_workspace(workspace_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> Response:
    await mediator.send(DeleteWorkspace(workspace_id=workspace_id), ctx)
    return Response(status_code=NO_CONTENT)


@router.get("/workspaces/{workspace_id}/collaborators")
async def list_collaborators(
    workspace_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, Any]:
    return page_of(await mediator.send(ListCollaborators(workspace_id=workspace_id), ctx), None)


@router.post("/workspaces/{workspace_id}/collaborators", status_code=status.HTTP_201_CREATED)
async def add_collaborator(
    workspace_id: uuid.UUID, body: CollaboratorCreate, mediator: MediatorDep, ctx: ContextDep
) -> CollaboratorRead:
    return await mediator.send(
        AddCollaborator(
            workspace_id=workspace_id, email=body.email, role=Role.parse(body.role), invited_by=_user(ctx)
        ),
        ctx,
    )


@router.patch("/workspaces/{workspace_id}/collaborators/{user_id}")
async def change_collaborator(
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    body: CollaboratorUpdate,
    mediator: MediatorDep,
    ctx: ContextDep,
) -> CollaboratorRead:
    return await mediator.send(
        ChangeCollaboratorRole(workspace_id=workspace_id, user_id=user_id, role=Role.parse(body.role)), ctx
    )


@router.delete("/workspaces/{workspace_id}/collaborators/{user_id}", status_code=NO_CONTENT)
async def remove_collaborator(
    workspace_id: uuid.UUID, user_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> Response:
    if acting_user(ctx.actor) == user_id:
        await mediator.send(LeaveWorkspace(workspace_id=workspace_id, user_id=user_id), ctx)
    else:
        await mediator.send(RemoveCollaborator(workspace_id=workspace_id, user_id=user_id), ctx)
    return Response(status_code=NO_CONTENT)


@router.post("/workspaces/{workspace_id}/owner")
async def transfer_ownership(
    workspace_id: uuid.UUID, body: OwnerChange, mediator: MediatorDep, ctx: ContextDep
) -> WorkspaceRead:
    return await mediator.send(TransferOwnership(workspace_id=workspace_id, new_owner_id=body.user_id), ctx)


@router.post("/workspaces/{workspace_id}/projects", status_code=status.HTTP_201_CREATED)
async def create_project(
    workspace_id: uuid.UUID, body: ProjectCreate, mediator: MediatorDep, ctx: ContextDep
) -> ProjectRead:
    return await mediator.send(
        CreateProject(workspace_id=workspace_id, name=body.name, created_by=acting_user(ctx.actor)), ctx
    )


@router.get("/workspaces/{workspace_id}/projects")
async def list_projects(
    workspace_id: uuid.UUID, page: PageDep, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, Any]:
    items, next_cursor = await mediator.send(
        ListProjects(workspace_id=workspace_id, limit=page.limit, cursor=page.cursor), ctx
    )
    return page_of(items, next_cursor)


@router.get("/projects/{project_id}")
async def get_project(project_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> ProjectRead:
    return await mediator.send(GetProject(project_id=project_id), ctx)


@router.delete("/projects/{project_id}", status_code=NO_CONTENT)
async def delete_project(project_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> Response:
    await mediator.send(DeleteProject(project_id=project_id), ctx)
    return Response(status_code=NO_CONTENT)
