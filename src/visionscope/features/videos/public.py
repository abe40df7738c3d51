"""What the building blocks and other features may ask of videos."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.features.videos.models import Video
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
