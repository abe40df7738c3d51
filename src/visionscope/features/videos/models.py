"""The videos table: one row a video, with its analysis status and what the probe found."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from visionscope.building_blocks.db import Base, IdMixin, TimestampMixin
from visionscope.building_blocks.uow import RecordsEvents

STATUSES = ("queued", "processing", "ready", "failed", "cancelled")


class Video(IdMixin, TimestampMixin, RecordsEvents, Base):
    __tablename__ = "videos"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace_projects.id", ondelete="CASCADE"))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    original_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    has_subtitles: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    stage: Mapped[str | None] = mapped_column(String(20))
    progress: Mapped[float] = mapped_column(default=0.0)
    eta_seconds: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration: Mapped[float]
    width: Mapped[int]
    height: Mapped[int]
    fps: Mapped[float]
    has_audio: Mapped[bool]
    container: Mapped[str] = mapped_column(String(60))
    video_codec: Mapped[str] = mapped_column(String(40))
    audio_codec: Mapped[str | None] = mapped_column(String(40))
    features: Mapped[dict[str, Any]] = mapped_column(default=dict)  # analysis feature -> "on" / "skipped"
    attempt: Mapped[int] = mapped_column(default=1)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    processing_seconds: Mapped[float | None]
    deleted_at: Mapped[datetime | None]
    idempotency_key: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'processing', 'ready', 'failed', 'cancelled')", name="status_known"
        ),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_fraction"),
        Index("ix_videos_project", "project_id", "created_at"),
        Index("ix_videos_workspace", "workspace_id"),
        UniqueConstraint("workspace_id", "idempotency_key"),
    )
