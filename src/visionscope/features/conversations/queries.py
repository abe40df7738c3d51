"""Conversation queries: a conversation with its messages, the conversations of a project or video,
and what answering needs before the engine runs (the videos, the memory, whether a credit is left)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from visionscope.building_blocks.messages import Query, Role, in_conversation, in_project, in_video
from visionscope.features.conversations.answers.knowledge import Subject
from visionscope.features.conversations.answers.memory import Turn
from visionscope.features.conversations.commands import CHAT
from visionscope.features.conversations.schemas import ConversationRead, MessageRead

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


@dataclass(frozen=True)
class Subjects:
    """The analysed videos a question or search is answered from, and whose they are."""

    workspace_id: uuid.UUID
    project_id: uuid.UUID
    subjects: tuple[Subject, ...]


@dataclass(frozen=True)
class AnswerContext:
    conversation_id: uuid.UUID
    subjects: Subjects
    history: tuple[Turn, ...]
    exchanges: tuple[tuple[str, str], ...]
    replay: MessageRead | None


@dataclass(frozen=True, kw_only=True)
class GetAnswerContext(Query[AnswerContext]):
    access = in_conversation(Role.VIEWER)
    conversation_id: uuid.UUID
    question: str
    idempotency_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class GetVideoSubjects(Query[Subjects]):
    access = in_video(Role.VIEWER)
    video_id: uuid.UUID
    feature: str = CHAT


@dataclass(frozen=True, kw_only=True)
class GetProjectSubjects(Query[Subjects]):
    access = in_project(Role.VIEWER)
    project_id: uuid.UUID
    feature: str = CHAT
