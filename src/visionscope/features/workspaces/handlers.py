"""Workspace handlers: the commands, and the queries, answered by the read side (reads.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update

from visionscope.building_blocks.errors import Conflict, InvalidInput, NotFound
from visionscope.building_blocks.messages import Role
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.features.billing.public import (
    active_tier_id,
    add_month,
    charge_seat,
    check_limit,
    close_workspace_pools,
    open_workspace_pools,
    release_project_reservations,
)
from visionscope.features.identity.public import revoke_keys, user_id_by_email
from visionscope.features.workspaces import reads
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
from visionscope.features.workspaces.events import (
    CollaboratorAdded,
    CollaboratorRemoved,
    CollaboratorRoleChanged,
    OwnershipTransferred,
    ProjectCreated,
    ProjectDeleted,
    WorkspaceCreated,
    WorkspaceDeleted,
    WorkspaceRenamed,
)
from visionscope.features.workspaces.models import Collaborator, MemberStatus, Project, Workspace
from visionscope.features.workspaces.queries import (
    GetProject,
    GetWorkspace,
    ListCollaborators,
    ListProjects,
    ListWorkspaces,
)
from visionscope.features.workspaces.reads import collaborator_reads, read_workspace
from visionscope.features.workspaces.schemas import CollaboratorRead, ProjectRead, WorkspaceRead


async def _workspace(uow: UnitOfWork, workspace_id: uuid.UUID) -> Workspace:
    workspace = await uow.session.get(Workspace, workspace_id, with_for_update=True)
    if workspace is None or workspace.deleted_at is not None:
        raise NotFound(f"No workspace with id {workspace_id}.")
    return workspace


async def _collaborator(uow: UnitOfWork, workspace_id: uuid.UUID, user_id: uuid.UUID) -> Collaborator:
    member = await uow.session.scalar(
        select(Collaborator).where(
            Collaborator.workspace_id == workspace_id,
            Collaborator.user_id == user_id,
            Collaborator.status == MemberStatus.ACTIVE,
        )
    )
    if member is None:
        raise NotFound(f"No collaborator with user id {user_id} in this workspace.")
    return member


async def create_workspace(cmd: CreateWorkspace, *, uow: UnitOfWork, clock: Clock) -> WorkspaceRead:
    tier_id = await active_tier_id(uow.session, cmd.tier)
    if tier_id is None:
        raise InvalidInput(
            f"There is no tier {cmd.tier!r} open to new workspaces.",
            errors=[{"field": "tier", "message": "unknown or inactive tier"}],
        )
    now = clock()
    workspace = Workspace(
        id=uuid.uuid4(),
        name=cmd.name,
        tier_id=tier_id,
        owner_id=cmd.owner_id,
        period_start=now,
        period_end=add_month(now),
        created_at=now,
        updated_at=now,
    )
    uow.session.add(workspace)
    await uow.flush()  # rows of tables without a relationship() are not ordered by the flush
    uow.session.add(
        Collaborator(
            workspace_id=workspace.id,
            user_id=cmd.owner_id,
            role="owner",
            invited_by=None,
            status=MemberStatus.ACTIVE,
            created_at=now,
            updated_at=now,
        )
    )
    await open_workspace_pools(
        uow,
        workspace_id=workspace.id,
        tier_id=tier_id,
        period_start=workspace.period_start,
        period_end=workspace.period_end,
        now=now,
    )
    workspace.record(WorkspaceCreated(workspace_id=workspace.id, owner_id=cmd.owner_id, tier=cmd.tier))
    await uow.flush()
    return await read_workspace(uow.session, workspace.id, Role.OWNER)


async def rename_workspace(cmd: RenameWorkspace, *, uow: UnitOfWork) -> WorkspaceRead:
    workspace = await _workspace(uow, cmd.workspace_id)
    if workspace.name != cmd.name:
        workspace.name = cmd.name
        workspace.record(WorkspaceRenamed(workspace_id=workspace.id))
    await uow.flush()
    role = await uow.session.scalar(
        select(Collaborator.role).where(
            Collaborator.workspace_id == workspace.id, Collaborator.user_id == uow.actor_id
        )
    )
    return await read_workspace(uow.session, workspace.id, Role.parse(role) if role else Role.ADMIN)


async def delete_workspace(cmd: DeleteWorkspace, *, uow: UnitOfWork, clock: Clock) -> None:
    """Soft delete: projects archived, keys revoked, reservations released, pools closed, access ends;
    history (usage logs, statements) is kept for audit."""
    workspace = await _workspace(uow, cmd.workspace_id)
    now = clock()
    workspace.deleted_at = now
    await close_workspace_pools(uow, workspace_id=workspace.id, now=now)
    await uow.session.execute(
        update(Project)
        .where(Project.workspace_id == workspace.id, Project.archived_at.is_(None))
        .values(archived_at=now)
    )
    await revoke_keys(uow, workspace_id=workspace.id, now=now, reason="workspace deleted")
    workspace.record(WorkspaceDeleted(workspace_id=workspace.id))


async def add_collaborator(cmd: AddCollaborator, *, uow: UnitOfWork, clock: Clock) -> CollaboratorRead:
    workspace = await _workspace(uow, cmd.workspace_id)
    if cmd.role >= Role.OWNER:
        raise InvalidInput(
            "Make someone owner by transferring ownership.",
            errors=[{"field": "role", "message": "owner cannot be assigned"}],
        )
    user_id = await user_id_by_email(uow.session, cmd.email)
    if user_id is None:
        raise NotFound("No VisionScope account uses that email; ask them to register first.", field="email")
    member = await uow.session.scalar(
        select(Collaborator).where(Collaborator.workspace_id == workspace.id, Collaborator.user_id == user_id)
    )
    if member is not None and member.status == MemberStatus.ACTIVE:
        raise Conflict("That user is already a collaborator.", user_id=str(user_id))
    now = clock()
    seats_taken = await uow.session.scalar(
        select(func.count()).where(
            Collaborator.workspace_id == workspace.id,
            Collaborator.status == MemberStatus.ACTIVE,
            Collaborator.role != "owner",
        )
    )
    await check_limit(uow.session, workspace.id, "max_collaborators", int(seats_taken or 0) + 1)
    await charge_seat(uow, workspace_id=workspace.id, user_id=user_id, added_by=cmd.invited_by, now=now)
    if member is None:
        member = Collaborator(workspace_id=workspace.id, user_id=user_id, created_at=now)
        uow.session.add(member)
    member.role, member.status, member.invited_by, member.updated_at = (
        cmd.role.label,
        MemberStatus.ACTIVE,
        cmd.invited_by,
        now,
    )
    workspace.record(
        CollaboratorAdded(
            workspace_id=workspace.id, user_id=user_id, role=cmd.role.label, invited_by=cmd.invited_by
        )
    )
    await uow.flush()
    return (await collaborator_reads(uow.session, [member]))[0]


async def change_collaborator_role(cmd: ChangeCollaboratorRole, *, uow: UnitOfWork) -> CollaboratorRead:
    workspace = await _workspace(uow, cmd.workspace_id)
    member = await _collaborator(uow, workspace.id, cmd.user_id)
    if member.role == "owner" or cmd.role >= Role.OWNER:
        raise Conflict("The owner's role changes only by transferring ownership.")
    if member.role != cmd.role.label:
        workspace.record(
            CollaboratorRoleChanged(
                workspace_id=workspace.id,
                user_id=member.user_id,
                old_role=member.role,
                new_role=cmd.role.label,
            )
        )
        member.role = cmd.role.label
    return (await collaborator_reads(uow.session, [member]))[0]


async def _remove(
    uow: UnitOfWork, workspace: Workspace, member: Collaborator, *, left: bool, now: datetime
) -> None:
    if member.role == "owner":
        raise Conflict("The owner can neither leave nor be removed; transfer ownership first.")
    member.status, member.updated_at = MemberStatus.REMOVED, now
    await revoke_keys(
        uow,
        workspace_id=workspace.id,
        created_by=member.user_id,
        now=now,
        reason="collaborator left" if left else "collaborator removed",
    )
    workspace.record(CollaboratorRemoved(workspace_id=workspace.id, user_id=member.user_id, left=left))


async def remove_collaborator(cmd: RemoveCollaborator, *, uow: UnitOfWork, clock: Clock) -> None:
    workspace = await _workspace(uow, cmd.workspace_id)
    member = await _collaborator(uow, workspace.id, cmd.user_id)
    await _remove(uow, workspace, member, left=False, now=clock())


async def leave_workspace(cmd: LeaveWorkspace, *, uow: UnitOfWork, clock: Clock) -> None:
    workspace = await _workspace(uow, cmd.workspace_id)
    member = await _collaborator(uow, workspace.id, cmd.user_id)
    await _remove(uow, workspace, member, left=True, now=clock())


async def transfer_ownership(cmd: TransferOwnership, *, uow: UnitOfWork) -> WorkspaceRead:
    workspace = await _workspace(uow, cmd.workspace_id)
    new_owner = await _collaborator(uow, workspace.id, cmd.new_owner_id)
    if new_owner.user_id == workspace.owner_id:
        raise Conflict("That user already owns the workspace.")
    old_owner = await _collaborator(uow, workspace.id, workspace.owner_id)
    old_owner.role, new_owner.role = "admin", "owner"
    workspace.record(
        OwnershipTransferred(
            workspace_id=workspace.id, old_owner_id=workspace.owner_id, new_owner_id=new_owner.user_id
        )
    )
    workspace.owner_id = new_owner.user_id
    await uow.flush()
    return await read_workspace(uow.session, workspace.id, Role.ADMIN)


async def create_project(cmd: CreateProject, *, uow: UnitOfWork, clock: Clock) -> ProjectRead:
    workspace = await _workspace(uow, cmd.workspace_id)
    now = clock()
    project = Project(
        id=uuid.uuid4(),
        workspace_id=workspace.id,
        name=cmd.name,
        created_by=cmd.created_by,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(project)
    project.record(ProjectCreated(workspace_id=workspace.id, project_id=project.id))
    return ProjectRead(id=project.id, workspace_id=workspace.id, name=project.name, created_at=now)


async def delete_project(cmd: DeleteProject, *, uow: UnitOfWork, clock: Clock) -> None:
    """Archive the project; its files and indexes are removed by consumers of ProjectDeleted."""
    project = await uow.session.get(Project, cmd.project_id, with_for_update=True)
    if project is None or project.archived_at is not None:
        raise NotFound(f"No project with id {cmd.project_id}.")
    now = clock()
    project.archived_at = now
    await release_project_reservations(uow, project_id=project.id, now=now)
    project.record(ProjectDeleted(workspace_id=project.workspace_id, project_id=project.id))


async def list_workspaces(query: ListWorkspaces, *, uow: UnitOfWork) -> list[WorkspaceRead]:
    return await reads.workspaces_of(uow.session, query.actor)


async def get_workspace(query: GetWorkspace, *, uow: UnitOfWork) -> WorkspaceRead:
    return await reads.workspace_seen_by(uow.session, query.actor, query.workspace_id)


async def list_collaborators(query: ListCollaborators, *, uow: UnitOfWork) -> list[CollaboratorRead]:
    return await reads.collaborators(uow.session, query.workspace_id)


async def list_projects(query: ListProjects, *, uow: UnitOfWork) -> tuple[list[ProjectRead], str | None]:
    return await reads.projects_page(uow.session, query.workspace_id, query.limit, query.cursor)


async def get_project(query: GetProject, *, uow: UnitOfWork) -> ProjectRead:
    return await reads.project(uow.session, query.project_id)
