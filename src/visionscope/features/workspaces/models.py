"""Workspace tables: workspaces, their collaborators and projects."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from visionscope.building_blocks.db import Base, IdMixin, TimestampMixin, stored_as_value
from visionscope.building_blocks.uow import RecordsEvents

ROLES = ("owner", "admin", "editor", "viewer")


class Workspace(IdMixin, TimestampMixin, RecordsEvents, Base):
    __tablename__ = "workspaces"

    name: Mapped[str] = mapped_column(String(200))
    tier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pricing_tiers.id", ondelete="RESTRICT"), index=True
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class MemberStatus(enum.StrEnum):
    """A collaborator is active until removed (or gone, or their account closed)."""

    ACTIVE = "active"
    REMOVED = "removed"


class Collaborator(IdMixin, TimestampMixin, Base):
    __tablename__ = "workspace_collaborators"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    invited_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[MemberStatus] = mapped_column(
        stored_as_value(MemberStatus, 10), default=MemberStatus.ACTIVE
    )

    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        CheckConstraint("role IN ('owner', 'admin', 'editor', 'viewer')", name="role_known"),
        CheckConstraint("status IN ('active', 'removed')", name="status_known"),
    )


class Project(IdMixin, TimestampMixin, RecordsEvents, Base):
    __tablename__ = "workspace_projects"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_workspace_projects_workspace", "workspace_id", "created_at"),)
