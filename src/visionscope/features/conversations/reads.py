"""Conversation queries: a conversation with its messages, and the conversations of a project or video."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import NotFound
from visionscope.building_blocks.messages import Query, Role, in_project
from visionscope.building_blocks.pagination import decode_cursor, encode_cursor
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.conversations.commands import in_conversation, in_video
from visionscope.features.conversations.models import Conversation, ConversationMessage, MessageCitation
from visionscope.features.conversations.schemas import CitationRead, ConversationRead, MessageRead

Limit = Annotated[int, Field(ge=1, le=200)]
Page = tuple[list[ConversationRead], str | None]


@dataclass(frozen=True, kw_only=True)
class GetConversation(Query[ConversationRead]):
    access = in_conversation(Role.VIEWER)
    conversation_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ListProjectConversations(Query[Page]):
    """Every conversation of a project: about the whole project or one of its videos."""

    access = in_project(Role.VIEWER)
    project_id: uuid.UUID
    limit: Limit = 50
    cursor: str | None = None


@dataclass(frozen=True, kw_only=True)
class ListVideoConversations(Query[Page]):
    access = in_video(Role.VIEWER)
    video_id: uuid.UUID
    limit: Limit = 50
    cursor: str | None = None


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


async def get_conversation(query: GetConversation, *, uow: UnitOfWork) -> ConversationRead:
    row = await uow.session.get(Conversation, query.conversation_id)
    if row is None:
        raise NotFound(f"No conversation with id {query.conversation_id}.")
    return conversation_read(row, await messages_of(uow.session, row.id))


async def _page(uow: UnitOfWork, where: ColumnElement[bool], limit: int, cursor: str | None) -> Page:
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
    rows = list((await uow.session.scalars(statement)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return [conversation_read(r) for r in rows], (
        encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
    )


async def list_project_conversations(query: ListProjectConversations, *, uow: UnitOfWork) -> Page:
    return await _page(uow, Conversation.project_id == query.project_id, query.limit, query.cursor)


async def list_video_conversations(query: ListVideoConversations, *, uow: UnitOfWork) -> Page:
    return await _page(uow, Conversation.video_id == query.video_id, query.limit, query.cursor)
