"""Workspace events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from visionscope.building_blocks.messages import Event


@dataclass(frozen=True, kw_only=True)
class WorkspaceCreated(Event):
    workspace_id: uuid.UUID
    owner_id: uuid.UUID
    tier: str


@dataclass(frozen=True, kw_only=True)
class WorkspaceRenamed(Event):
    workspace_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class WorkspaceDeleted(Event):
    workspace_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CollaboratorAdded(Event):
    workspace_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    invited_by: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class CollaboratorRoleChanged(Event):
    workspace_id: uuid.UUID
    user_id: uuid.UUID
    old_role: str
    new_role: str


@dataclass(frozen=True, kw_only=True)
class CollaboratorRemoved(Event):
    workspace_id: uuid.UUID
    user_id: uuid.UUID
    left: bool


@dataclass(frozen=True, kw_only=True)
class OwnershipTransferred(Event):
    workspace_id: uuid.UUID
    old_owner_id: uuid.UUID
    new_owner_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ProjectCreated(Event):
    workspace_id: uuid.UUID
    project_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ProjectDeleted(Event):
    workspace_id: uuid.UUID
    project_id: uuid.UUID


EVENTS: tuple[type[Event], ...] = (
    WorkspaceCreated,
    WorkspaceRenamed,
    WorkspaceDeleted,
    CollaboratorAdded,
    CollaboratorRoleChanged,
    CollaboratorRemoved,
    OwnershipTransferred,
    ProjectCreated,
    ProjectDeleted,
)
