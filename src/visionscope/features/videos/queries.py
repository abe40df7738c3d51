"""Video queries: the video itself, lists, the upload policy and the analysis results."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import and_, or_, select

from visionscope.building_blocks.errors import Conflict, NotFound
from visionscope.building_blocks.messages import Access, Query, Role, ScopeKind, in_project
from visionscope.building_blocks.pagination import decode_cursor, encode_cursor
from visionscope.building_blocks.storage import Storage
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.config import Settings
from visionscope.features.billing.public import tier_limits
from visionscope.features.videos.models import Video, VideoStatus
from visionscope.features.videos.results import source_key, work_key
from visionscope.features.videos.schemas import UploadPolicy, VideoRead
from visionscope.features.workspaces.public import workspace_of_project

ResultPart = Literal["scenes", "transcript", "text", "chapters", "summary", "work"]


def _in_video(role: Role, *, rate_limited: bool = True) -> Access:
    return Access(role=role, scope=ScopeKind.VIDEO, field="video_id", rate_limited=rate_limited)


def video_read(video: Video) -> VideoRead:
    return VideoRead(
        id=video.id,
        project_id=video.project_id,
        workspace_id=video.workspace_id,
        name=video.original_name,
        size_bytes=video.size_bytes,
        sha256=video.sha256,
        status=video.status,
        stage=video.stage,
        progress=video.progress,
        eta_seconds=video.eta_seconds,
        error=video.error,
        duration=video.duration,
        width=video.width,
        height=video.height,
        fps=video.fps,
        has_audio=video.has_audio,
        has_subtitles=video.has_subtitles,
        container=video.container,
        features=dict(video.features or {}),
        attempt=video.attempt,
        created_at=video.created_at,
        finished_at=video.finished_at,
        processing_seconds=video.processing_seconds,
    )


@dataclass(frozen=True, kw_only=True)
class GetUploadPolicy(Query[UploadPolicy]):
    access = in_project(Role.EDITOR)
    project_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class GetVideo(Query[VideoRead]):
    access = _in_video(Role.VIEWER)
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

    access = _in_video(Role.VIEWER, rate_limited=False)  # a player asks for many ranges and pictures
    video_id: uuid.UUID
    ready_only: bool = True


async def get_upload_policy(query: GetUploadPolicy, *, uow: UnitOfWork, settings: Settings) -> UploadPolicy:
    workspace_id = await workspace_of_project(uow.session, query.project_id)
    if workspace_id is None:
        raise NotFound(f"No project with id {query.project_id}.")
    limits = await tier_limits(uow.session, workspace_id)
    max_mb = min(settings.max_upload_mb, limits.get("max_upload_mb", settings.max_upload_mb))
    minutes = limits.get("max_video_minutes")
    return UploadPolicy(
        workspace_id=workspace_id,
        max_upload_bytes=max_mb * 1024 * 1024,
        max_video_seconds=minutes * 60.0 if minutes else None,
    )


async def _load(uow: UnitOfWork, video_id: uuid.UUID) -> Video:
    video = await uow.session.get(Video, video_id)
    if video is None or video.deleted_at is not None:
        raise NotFound(f"No video with id {video_id}.")
    return video


async def get_video(query: GetVideo, *, uow: UnitOfWork) -> VideoRead:
    return video_read(await _load(uow, query.video_id))


async def list_videos(query: ListVideos, *, uow: UnitOfWork) -> tuple[list[VideoRead], str | None]:
    statement = (
        select(Video)
        .where(Video.project_id == query.project_id, Video.deleted_at.is_(None))
        .order_by(Video.created_at, Video.id)
        .limit(query.limit + 1)
    )
    if query.cursor:
        created, last_id = decode_cursor(query.cursor)
        statement = statement.where(
            or_(Video.created_at > created, and_(Video.created_at == created, Video.id > last_id))
        )
    rows = list((await uow.session.scalars(statement)).all())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return [video_read(v) for v in rows], (encode_cursor(rows[-1].created_at, rows[-1].id) if more else None)


async def get_video_files(
    query: GetVideoFiles, *, uow: UnitOfWork, storage: Storage
) -> tuple[VideoRead, Path, Path]:
    video = await _load(uow, query.video_id)
    if query.ready_only and video.status != VideoStatus.READY:
        raise Conflict(f"The video is not analysed yet: it is {video.status}.", video_status=video.status)
    return video_read(video), storage.path(source_key(video.id)), storage.path(work_key(video.id))
