"""API shapes of videos and their analysis results."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["queued", "processing", "ready", "failed", "cancelled"]


class VideoRead(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    size_bytes: int
    sha256: str
    status: Status
    stage: str | None
    progress: float
    eta_seconds: float | None
    error: str | None
    resuming: bool = Field(
        default=False,
        description="The worker analysing the video was lost; another worker is resuming the analysis.",
    )
    duration: float
    width: int
    height: int
    fps: float
    has_audio: bool
    has_subtitles: bool
    container: str
    features: dict[str, str]
    attempt: int
    created_at: datetime
    finished_at: datetime | None
    processing_seconds: float | None


class ColorRead(BaseModel):
    name: str
    share: float


class SceneRead(BaseModel):
    index: int
    start: float
    end: float
    keyframe_url: str
    colors: list[ColorRead]
    brightness: float
    motion: float
    text: list[str]
    caption: str | None
    transition: Literal["start", "cut", "dissolve", "fade", "wipe"] = "cut"
    """How the scene begins ("start" for the first; "fade" is a fade through black)."""
    transition_start: float = 0.0
    transition_end: float = 0.0
    """The span of a gradual transition around `start` (both equal `start` for a cut)."""


class WordRead(BaseModel):
    start: float
    end: float
    word: str


class SegmentRead(BaseModel):
    start: float
    end: float
    text: str
    words: list[WordRead] = []


class TextSpanRead(BaseModel):
    start: float
    end: float
    text: str
    scene: int | None = None


class ChapterRead(BaseModel):
    index: int
    start: float
    end: float
    title: str


class SummarySentenceRead(BaseModel):
    start: float
    end: float
    text: str
    source: str


class SummaryRead(BaseModel):
    text: str
    sentences: list[SummarySentenceRead]


class UploadPolicy(BaseModel):
    """What an upload into a project may be: checked before a byte of it is stored."""

    workspace_id: uuid.UUID
    max_upload_bytes: int
    max_video_seconds: float | None
