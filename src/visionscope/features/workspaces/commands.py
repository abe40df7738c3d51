"""Workspace commands."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from pydantic import StringConstraints

from visionscope.building_blocks.messages import SIGNED_IN_USER, Command, Role, in_project, in_workspace
from visionscope.features.workspaces.schemas import CollaboratorRead, ProjectRead, WorkspaceRead

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


@dataclass(frozen=True, kw_only=True)
class CreateWorkspace(Command[WorkspaceRead]):
    access = SIGNED_IN_USER
    name: Name
    tier: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    owner_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class RenameWorkspace(Command[WorkspaceRead]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    name: Name


@dataclass(frozen=True, kw_only=True)
class DeleteWorkspace(Command[None]):
    access = in_workspace(Role.OWNER, users_only=True)
    workspace_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class AddCollaborator(Command[CollaboratorRead]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    email: Annotated[str, StringConstraints(min_length=3, max_length=320)]
    role: Role
    invited_by: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ChangeCollaboratorRole(Command[CollaboratorRead]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    user_id: uuid.UUID
    role: Role


@dataclass(frozen=True, kw_only=True)
class RemoveCollaborator(Command[None]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class LeaveWorkspace(Command[None]):
    access = in_workspace(Role.VIEWER, users_only=True)
    workspace_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class TransferOwnership(Command[WorkspaceRead]):
    access = in_workspace(Role.OWNER, users_only=True)
    workspace_id: uuid.UUID
    new_owner_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CreateProject(Command[ProjectRead]):
    access = in_workspace(Role.EDITOR)
    workspace_id: uuid.UUID
    name: Name
    created_by: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class DeleteProject(Command[None]):
    access = in_project(Role.ADMIN)
    project_id: uuid.UUID
