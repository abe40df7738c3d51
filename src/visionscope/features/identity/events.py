"""Identity events; security-relevant actions are part of the audit trail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from visionscope.building_blocks.messages import Event


@dataclass(frozen=True, kw_only=True)
class UserRegistered(Event):
    aggregate_field = "user_id"
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class UserSignedIn(Event):
    aggregate_field = "user_id"
    user_id: uuid.UUID
    method: str  # "password" or "refresh"


@dataclass(frozen=True, kw_only=True)
class ApiKeyCreated(Event):
    workspace_id: uuid.UUID
    key_id: uuid.UUID
    role: str
    created_by: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ApiKeyRevoked(Event):
    workspace_id: uuid.UUID
    key_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class UserDeleted(Event):
    """An account was closed: its memberships, keys and sessions ended; its id stays in the history."""

    aggregate_field = "user_id"
    user_id: uuid.UUID


EVENTS: tuple[type[Event], ...] = (UserRegistered, UserSignedIn, ApiKeyCreated, ApiKeyRevoked, UserDeleted)
