"""The videos table: one row a video, with its analysis status and what the probe found.

The lifecycle of a video's analysis lives on `Video`: queued → processing → ready, failed or
cancelled, and back to queued when it is analyzed again. Each method that changes the state
records the event that says so; the handlers add what other features do about it (credits).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column

from visionscope.building_blocks.db import Base, IdMixin, TimestampMixin, stored_as_value
from visionscope.building_blocks.errors import Conflict
from visionscope.building_blocks.uow import RecordsEvents
from visionscope.features.videos.events import (
    VideoAnalysed,
    VideoAnalysisCancelled,
    VideoAnalysisFailed,
    VideoDeleted,
    VideoReanalysisRequested,
    VideoUploaded,
)


class VideoStatus(enum.StrEnum):
    """Where a video's analysis is; the values are the stored column values."""

    QUEUED = "queued"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        """Queued or processing: the analysis has not ended."""
        return self in (VideoStatus.QUEUED, VideoStatus.PROCESSING)


class VideoStage(enum.StrEnum):
    """The pipeline stage a processing analysis is in; `done` once it is ready."""

    PROBE = "probe"
    SCAN = "scan"
    TEXT = "text"
    SPEECH = "speech"
    INDEX = "index"
    CHAPTERS = "chapters"
    DONE = "done"


class Video(IdMixin, TimestampMixin, RecordsEvents, Base):
    __tablename__ = "videos"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace_projects.id", ondelete="CASCADE"))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    original_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    has_subtitles: Mapped[bool] = mapped_column(default=False)
    status: Mapped[VideoStatus] = mapped_column(stored_as_value(VideoStatus, 12), default=VideoStatus.QUEUED)
    stage: Mapped[VideoStage | None] = mapped_column(stored_as_value(VideoStage, 20))
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

    # --- the user's side -------------------------------------------------------------------

    def uploaded(self) -> None:
        """A new video waits for its first analysis."""
        self.record(
            VideoUploaded(
                workspace_id=self.workspace_id,
                project_id=self.project_id,
                video_id=self.id,
                attempt=self.attempt,
                duration=self.duration,
            )
        )

    def require_ready(self) -> None:
        """409 with its status unless the analysis has succeeded."""
        if self.status != VideoStatus.READY:
            raise Conflict(f"The video is not analysed yet: it is {self.status}.", video_status=self.status)

    def check_can_requeue(self) -> None:
        """409 while an analysis is queued or processing."""
        if self.status.active:
            raise Conflict(f"The video is already {self.status}.", video_status=self.status)

    def requeue(self, features: dict[str, str], now: datetime) -> None:
        """Analyze again with the features the tier offers now: a new attempt starts queued."""
        self.check_can_requeue()
        self.features = features
        self.attempt += 1
        self.status, self.stage, self.progress, self.eta_seconds, self.error = (
            VideoStatus.QUEUED,
            None,
            0.0,
            None,
            None,
        )
        self.cancel_requested, self.lease_owner, self.lease_until = False, None, None
        self.started_at = self.finished_at = None
        self.processing_seconds = None
        self.updated_at = now
        self.record(
            VideoReanalysisRequested(
                workspace_id=self.workspace_id,
                project_id=self.project_id,
                video_id=self.id,
                attempt=self.attempt,
            )
        )

    def request_cancel(self, now: datetime) -> bool:
        """Stop the analysis: a queued one ends now (answers True), a processing one is asked to
        stop at the worker's next progress report (answers False). 409 when it already ended."""
        if self.status == VideoStatus.QUEUED:
            self.end(VideoStatus.CANCELLED, now)
            return True
        if self.status == VideoStatus.PROCESSING:
            self.cancel_requested = True
            return False
        raise Conflict(
            f"The video's analysis is {self.status}; there is nothing to cancel.", video_status=self.status
        )

    def delete(self, now: datetime) -> bool:
        """Soft delete; a running analysis is cancelled. Answers whether an analysis was stopped."""
        self.deleted_at = now
        self.cancel_requested = True
        stopped = self.status.active
        if stopped:
            self.end(VideoStatus.CANCELLED, now)
        self.record(
            VideoDeleted(workspace_id=self.workspace_id, project_id=self.project_id, video_id=self.id)
        )
        return stopped

    def retire(self, now: datetime) -> bool:
        """Its project or workspace is gone: deleted, and a running analysis is cancelled.
        Answers whether an analysis was stopped."""
        self.deleted_at = self.deleted_at or now
        stopped = self.status.active
        if stopped:
            self.end(VideoStatus.CANCELLED, now)
        return stopped

    # --- the analysis worker's side ----------------------------------------------------------

    @classmethod
    def claimable(cls, attempt: int, worker: str, now: datetime) -> ColumnElement[bool]:
        """Rows a worker may claim for this attempt: queued, or processing under an expired or own lease."""
        return (
            (cls.attempt == attempt)
            & cls.deleted_at.is_(None)
            & or_(
                cls.status == VideoStatus.QUEUED,
                (cls.status == VideoStatus.PROCESSING)
                & or_(cls.lease_until.is_(None), cls.lease_until < now, cls.lease_owner == worker),
            )
        )

    def leased_to(self, attempt: int, worker: str) -> bool:
        """Whether this worker holds the lease on this attempt of a processing analysis."""
        return (
            self.attempt == attempt and self.lease_owner == worker and self.status == VideoStatus.PROCESSING
        )

    def resuming(self, now: datetime) -> bool:
        """A worker was lost: the analysis is processing under a lease that ran out, and is being
        handed to another worker, which resumes it from its last finished stage."""
        expired = self.lease_until is not None and self.lease_until < now
        return self.status == VideoStatus.PROCESSING and expired

    def settled(self, attempt: int) -> bool:
        """Whether this attempt is over: a later attempt exists, or this one has ended."""
        return self.attempt != attempt or not self.status.active

    def report_progress(
        self, stage: str, fraction: float, eta_seconds: float | None, lease: timedelta, now: datetime
    ) -> bool:
        """Persist the stage and progress and renew the lease; answers whether to stop."""
        self.stage = VideoStage(stage)
        self.progress = min(1.0, max(0.0, fraction))
        self.eta_seconds = eta_seconds
        self.lease_until, self.updated_at = now + lease, now
        return self.cancel_requested

    def finish(self, features: dict[str, str], processing_seconds: float, now: datetime) -> None:
        """The analysis succeeded: the video is ready."""
        self._close(VideoStatus.READY, now)
        self.stage, self.progress, self.features = VideoStage.DONE, 1.0, features
        self.processing_seconds = processing_seconds
        self.record(
            VideoAnalysed(
                workspace_id=self.workspace_id,
                project_id=self.project_id,
                video_id=self.id,
                attempt=self.attempt,
                duration=self.duration,
                processing_seconds=processing_seconds,
                features=features,
            )
        )

    def end(self, status: VideoStatus, now: datetime, *, reason: str | None = None) -> None:
        """End an analysis that did not succeed (failed with a reason, or cancelled)."""
        self._close(status, now)
        if status == VideoStatus.FAILED:
            self.error = reason
            self.record(
                VideoAnalysisFailed(
                    workspace_id=self.workspace_id,
                    project_id=self.project_id,
                    video_id=self.id,
                    attempt=self.attempt,
                    reason=reason or "",
                )
            )
        else:
            self.record(
                VideoAnalysisCancelled(
                    workspace_id=self.workspace_id,
                    project_id=self.project_id,
                    video_id=self.id,
                    attempt=self.attempt,
                )
            )

    def _close(self, status: VideoStatus, now: datetime) -> None:
        self.status, self.eta_seconds, self.finished_at = status, None, now
        self.lease_owner, self.lease_until = None, None
        if self.started_at is not None:
            self.processing_seconds = (now - self.started_at).total_seconds()
