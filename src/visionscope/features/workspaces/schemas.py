"""API shapes of workspaces, collaborators and projects."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints

from visionscope.features.billing.schemas import PendingTierChangeRead

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TierKey = Annotated[str, StringConstraints(min_length=1, max_length=40)]
AssignableRole = Literal["admin", "editor", "viewer"]


class WorkspaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    tier: TierKey = "free"


class WorkspaceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name


class WorkspaceRead(BaseModel):
    id: uuid.UUID
    name: str
    tier: str
    owner_id: uuid.UUID
    role: str
    period_start: datetime
    period_end: datetime
    created_at: datetime
    pending_tier_change: PendingTierChangeRead | None = None


class CollaboratorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    role: AssignableRole = "editor"


class CollaboratorUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: AssignableRole


class CollaboratorRead(BaseModel):
    user_id: uuid.UUID
    name: str
    email: str
    role: str
    invited_by: uuid.UUID | None
    created_at: datetime


class OwnerChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: uuid.UUID


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name


class ProjectRead(BaseModel):
    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    created_at: datetime
