"""Video events; each video's events are one ordered stream."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from visionscope.building_blocks.messages import Event


@dataclass(frozen=True, kw_only=True)
class _VideoEvent(Event):
    aggregate_field = "video_id"
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    video_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class VideoUploaded(_VideoEvent):
    attempt: int
    duration: float


@dataclass(frozen=True, kw_only=True)
class VideoReanalysisRequested(_VideoEvent):
    attempt: int


@dataclass(frozen=True, kw_only=True)
class VideoAnalysed(_VideoEvent):
    attempt: int
    duration: float
    processing_seconds: float
    features: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class VideoAnalysisFailed(_VideoEvent):
    attempt: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class VideoAnalysisCancelled(_VideoEvent):
    attempt: int


@dataclass(frozen=True, kw_only=True)
class VideoDeleted(_VideoEvent):
    pass


EVENTS: tuple[type[Event], ...] = (
    VideoUploaded,
    VideoReanalysisRequested,
    VideoAnalysed,
    VideoAnalysisFailed,
    VideoAnalysisCancelled,
    VideoDeleted,
)
