"""Messages: commands change state, queries read it, events say what happened.

Each is a small frozen dataclass. Who may send a command or query is declared on
its class as ``access``; the authorization behaviour checks it.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Generic, TypeVar

R = TypeVar("R")


class Role(enum.IntEnum):
    """A collaborator's role in a workspace; a higher role includes the lower ones."""

    VIEWER = 1
    EDITOR = 2
    ADMIN = 3
    OWNER = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, label: str) -> Role:
        return cls[label.upper()]


class ScopeKind(enum.StrEnum):
    """What kind of resource a message's scope id names; each kind resolves to a workspace."""

    WORKSPACE = "workspace"
    PROJECT = "project"
    VIDEO = "video"
    CONVERSATION = "conversation"


@dataclass(frozen=True)
class Access:
    """Who may send a message.

    ``anonymous`` messages need no credentials. Otherwise an actor is required;
    with a ``scope`` the actor must hold at least ``role`` in the workspace that
    the message field ``field`` leads to. ``users_only`` refuses API keys.
    """

    role: Role | None = None
    scope: ScopeKind | None = None
    field: str = ""
    anonymous: bool = False
    users_only: bool = False
    system_only: bool = False
    rate_limited: bool = True  # False for the cheap reads a page makes many of (media ranges, pictures)


ANONYMOUS = Access(anonymous=True)
SYSTEM_ONLY = Access(system_only=True)  # sent by the product itself (workers, jobs), never by a caller
SIGNED_IN_USER = Access(users_only=True)


def in_workspace(role: Role, field: str = "workspace_id", *, users_only: bool = False) -> Access:
    return Access(role=role, scope=ScopeKind.WORKSPACE, field=field, users_only=users_only)


def in_project(role: Role, field: str = "project_id") -> Access:
    return Access(role=role, scope=ScopeKind.PROJECT, field=field)


def in_video(role: Role, field: str = "video_id", *, rate_limited: bool = True) -> Access:
    return Access(role=role, scope=ScopeKind.VIDEO, field=field, rate_limited=rate_limited)


def in_conversation(role: Role, field: str = "conversation_id") -> Access:
    return Access(role=role, scope=ScopeKind.CONVERSATION, field=field)


@dataclass(frozen=True, kw_only=True)
class Command(Generic[R]):
    """Asks the system to change something; handled once, in one transaction."""

    access: ClassVar[Access] = SIGNED_IN_USER


@dataclass(frozen=True, kw_only=True)
class Query(Generic[R]):
    """Asks a question; never changes state."""

    access: ClassVar[Access] = SIGNED_IN_USER


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened. ``aggregate_field`` names the field whose value orders its stream."""

    aggregate_field: ClassVar[str] = "workspace_id"
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=utcnow)

    @property
    def aggregate_id(self) -> str:
        return str(getattr(self, self.aggregate_field))

    @property
    def workspace(self) -> uuid.UUID | None:
        value = getattr(self, "workspace_id", None)
        return value if isinstance(value, uuid.UUID) else None


@dataclass(frozen=True)
class UserActor:
    """A person signed in with a bearer token."""

    user_id: uuid.UUID


@dataclass(frozen=True)
class ApiKeyActor:
    """A program using a workspace API key, acting with the key's role."""

    key_id: uuid.UUID
    workspace_id: uuid.UUID
    role: Role
    created_by: uuid.UUID


Actor = UserActor | ApiKeyActor


def acting_user(actor: Actor | None) -> uuid.UUID | None:
    """The user on whose behalf the actor acts (an API key acts for its creator)."""
    if isinstance(actor, UserActor):
        return actor.user_id
    if isinstance(actor, ApiKeyActor):
        return actor.created_by
    return None
