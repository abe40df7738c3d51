"""API shapes of identity."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from visionscope.features.identity.validation import Email, KeyName, NewPassword, PersonName

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]
RoleLabel = Literal["owner", "admin", "editor", "viewer"]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    password: NewPassword
    name: PersonName


class UserRead(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    created_at: datetime


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: KeyName
    role: Literal["admin", "editor", "viewer"] = "editor"


class ApiKeyRead(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyWithSecret(ApiKeyRead):
    key: str = Field(description="Shown once; store it now.")
