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
