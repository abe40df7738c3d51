"""Workspace queries: each selects straight into its read model."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from visionscope.building_blocks.caching import WORKSPACE, CachePolicy
from visionscope.building_blocks.messages import (
    Access,
    ApiKeyActor,
    Query,
    Role,
    UserActor,
    in_project,
    in_workspace,
)
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
