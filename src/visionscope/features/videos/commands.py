"""Video commands: from users (upload, cancel, re-analyse, delete) and from the analysis worker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import StringConstraints

from visionscope.building_blocks.messages import (
    SYSTEM_ONLY,
    Command,
    Role,
    in_project,
    in_video,
)
from visionscope.features.videos.schemas import VideoRead


@dataclass(frozen=True, kw_only=True)
class RegisterVideo(Command[VideoRead]):
    """Record a video whose file is already stored and probed, and queue its analysis."""

    access = in_project(Role.EDITOR)
    video_id: uuid.UUID
    project_id: uuid.UUID
    uploaded_by: uuid.UUID | None
    original_name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    size_bytes: int
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    media: dict[str, Any]
    has_subtitles: bool
    idempotency_key: Annotated[str, StringConstraints(max_length=200)] | None = None


@dataclass(frozen=True, kw_only=True)
class CancelAnalysis(Command[VideoRead]):
    access = in_video(Role.EDITOR)
    video_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ReanalyzeVideo(Command[VideoRead]):
    access = in_video(Role.EDITOR)
    video_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class DeleteVideo(Command[None]):
    access = in_video(Role.EDITOR)
    video_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ClaimAnalysis(Command[bool]):
    """A worker takes (or renews) the lease on a video's analysis attempt."""

    access = SYSTEM_ONLY
    video_id: uuid.UUID
    attempt: int
    worker: str
    lease_seconds: float


@dataclass(frozen=True, kw_only=True)
class ReportProgress(Command[bool]):
    """Persist the stage and progress; answers whether the user asked to cancel."""

    access = SYSTEM_ONLY
    video_id: uuid.UUID
    attempt: int
    worker: str
    stage: str
    progress: float
    eta_seconds: float | None
    lease_seconds: float


@dataclass(frozen=True, kw_only=True)
class FinishAnalysis(Command[None]):
    access = SYSTEM_ONLY
    video_id: uuid.UUID
    attempt: int
    worker: str
    processing_seconds: float
    features: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class FailAnalysis(Command[None]):
    access = SYSTEM_ONLY
    video_id: uuid.UUID
    attempt: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ConfirmCancelled(Command[None]):
    access = SYSTEM_ONLY
    video_id: uuid.UUID
    attempt: int
