"""Video queries: the video itself, lists, the upload policy and the files of its analysis."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from visionscope.building_blocks.messages import (
    Query,
    Role,
    in_project,
    in_video,
)
from visionscope.features.videos.schemas import UploadPolicy, VideoRead

ResultPart = Literal["scenes", "transcript", "text", "chapters", "summary", "work"]


@dataclass(frozen=True, kw_only=True)
class GetUploadPolicy(Query[UploadPolicy]):
    access = in_project(Role.EDITOR)
    project_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class GetVideo(Query[VideoRead]):
    access = in_video(Role.VIEWER)
    video_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ListVideos(Query[tuple[list[VideoRead], str | None]]):
    access = in_project(Role.VIEWER)
    project_id: uuid.UUID
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, kw_only=True)
class GetVideoFiles(Query[tuple[VideoRead, Path, Path]]):
    """The video with the paths of its source file and its analysis directory."""

    access = in_video(Role.VIEWER, rate_limited=False)  # a player asks for many ranges and pictures
    video_id: uuid.UUID
    ready_only: bool = True


@dataclass(frozen=True, kw_only=True)
class GetVideoResults(GetVideoFiles):
    """The same, for reading the analysis results (scenes, transcript, text, chapters, summary):
    counted by the rate limits like any other request."""

    access = in_video(Role.VIEWER)
