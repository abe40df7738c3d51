"""What the building blocks may ask of conversations: the workspace a conversation belongs to."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.features.conversations.models import Conversation
from visionscope.features.workspaces.public import workspace_of_project


async def workspace_of_conversation(session: AsyncSession, conversation_id: uuid.UUID) -> uuid.UUID | None:
    """The workspace of a conversation in a live project."""
    project_id = await session.scalar(
        select(Conversation.project_id).where(Conversation.id == conversation_id)
    )
    return None if project_id is None else await workspace_of_project(session, project_id)
