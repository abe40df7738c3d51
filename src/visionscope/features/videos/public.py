"""What the building blocks and other features may ask of videos: their workspace, a summary for
notices, where an analysis keeps its results and how to read them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import NotFound
from visionscope.features.videos.models import Video
from visionscope.features.videos.models import VideoStatus as VideoStatus
from visionscope.features.videos.results import chapters_of as chapters_of
from visionscope.features.videos.results import scan_of as scan_of
from visionscope.features.videos.results import text_of as text_of
from visionscope.features.videos.results import transcript_of as transcript_of
from visionscope.features.videos.results import work_key as work_key
from visionscope.features.workspaces.public import workspace_of_project


async def workspace_of_video(session: AsyncSession, video_id: uuid.UUID) -> uuid.UUID | None:
    """The workspace of a video that is not deleted, in a live project."""
    project_id = await session.scalar(
        select(Video.project_id).where(Video.id == video_id, Video.deleted_at.is_(None))
    )
    return None if project_id is None else await workspace_of_project(session, project_id)


async def video_summary(session: AsyncSession, video_id: uuid.UUID) -> tuple[str, uuid.UUID | None] | None:
    """A video's name and who uploaded it, for notices about it."""
    row = (
        await session.execute(select(Video.original_name, Video.uploaded_by).where(Video.id == video_id))
    ).first()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class VideoOutline:
    """What answering needs to know of a video: whose it is, its name and where its analysis is."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    name: str
    status: VideoStatus


def _outline(video: Video) -> VideoOutline:
    return VideoOutline(video.id, video.workspace_id, video.project_id, video.original_name, video.status)


async def analyzed_video(session: AsyncSession, video_id: uuid.UUID) -> VideoOutline:
    """404 for a missing or deleted video, 409 with its status for one not analyzed yet."""
    video = await session.get(Video, video_id)
    if video is None or video.deleted_at is not None:
        raise NotFound(f"No video with id {video_id}.")
    video.require_ready()
    return _outline(video)


async def project_videos(session: AsyncSession, project_id: uuid.UUID) -> list[VideoOutline]:
    """The project's videos that are not deleted, oldest first, whatever their status."""
    videos = await session.scalars(
        select(Video)
        .where(Video.project_id == project_id, Video.deleted_at.is_(None))
        .order_by(Video.created_at, Video.id)
    )
    return [_outline(v) for v in videos]
