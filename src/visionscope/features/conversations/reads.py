"""The read side of conversations: a conversation with its messages and citations, and pages of
the conversations of a project or video."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import NotFound
from visionscope.building_blocks.pagination import decode_cursor, encode_cursor
from visionscope.features.conversations.models import Conversation, ConversationMessage, MessageCitation
from visionscope.features.conversations.schemas import CitationRead, ConversationRead, MessageRead

Page = tuple[list[ConversationRead], str | None]


def conversation_read(row: Conversation, messages: list[MessageRead] | None = None) -> ConversationRead:
    return ConversationRead(
        id=row.id,
        workspace_id=row.workspace_id,
        project_id=row.project_id,
        video_id=row.video_id,
        title=row.title,
        message_count=row.message_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
        messages=messages,
    )


def message_read(row: ConversationMessage, citations: list[CitationRead]) -> MessageRead:
    return MessageRead(
        id=row.id,
        conversation_id=row.conversation_id,
        role="assistant" if row.role == "assistant" else "user",
        content=row.content,
        grounded=row.grounded,
        engine=row.engine,
        citations=citations,
        created_at=row.created_at,
    )


async def citations_of(
    session: AsyncSession, message_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[CitationRead]]:
    found: dict[uuid.UUID, list[CitationRead]] = defaultdict(list)
    if not message_ids:
        return found
    rows = await session.scalars(
        select(MessageCitation)
        .where(MessageCitation.message_id.in_(message_ids))
        .order_by(MessageCitation.message_id, MessageCitation.position)
    )
    for c in rows:
        found[c.message_id].append(
            CitationRead(video_id=c.video_id, start=c.start, end=c.end, source=c.source, quote=c.quote)
        )
    return found


async def messages_of(session: AsyncSession, conversation_id: uuid.UUID) -> list[MessageRead]:
    rows = list(
        (
            await session.scalars(
                select(ConversationMessage)
                .where(ConversationMessage.conversation_id == conversation_id)
                .order_by(ConversationMessage.position)
            )
        ).all()
    )
    cited = await citations_of(session, [m.id for m in rows if m.role == "assistant"])
    return [message_read(m, cited.get(m.id, [])) for m in rows]


async def conversation(session: AsyncSession, conversation_id: uuid.UUID) -> ConversationRead:
    row = await session.get(Conversation, conversation_id)
    if row is None:
        raise NotFound(f"No conversation with id {conversation_id}.")
    return conversation_read(row, await messages_of(session, row.id))


async def page(session: AsyncSession, where: ColumnElement[bool], limit: int, cursor: str | None) -> Page:
    """Conversations matching ``where``, oldest first, ``limit`` at a time after ``cursor``."""
    statement = (
        select(Conversation).where(where).order_by(Conversation.created_at, Conversation.id).limit(limit + 1)
    )
    if cursor:
        created, last_id = decode_cursor(cursor)
        statement = statement.where(
            or_(
                Conversation.created_at > created,
                and_(Conversation.created_at == created, Conversation.id > last_id),
            )
        )
    rows = list((await session.scalars(statement)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return [conversation_read(r) for r in rows], (
        encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
    )
