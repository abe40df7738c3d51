"""Conversation tables: conversations, their messages, each answer's citations, and the chat
completions kept for a replay of their idempotency key."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Double, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from visionscope.building_blocks.db import Base, IdMixin, TimestampMixin, utcnow
from visionscope.building_blocks.uow import RecordsEvents


class Conversation(IdMixin, TimestampMixin, RecordsEvents, Base):
    """Questions and answers about one video, or about every video of a project (``video_id`` None)."""

    __tablename__ = "conversations"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace_projects.id", ondelete="CASCADE"))
    video_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    started_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(200))
    message_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_conversations_project", "project_id", "created_at"),
        Index("ix_conversations_video", "video_id", "created_at"),
    )


class ConversationMessage(IdMixin, TimestampMixin, Base):
    """A question (``user``) or an answer (``assistant``); an answer keeps what follow-ups need."""

    __tablename__ = "conversation_messages"

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)
    grounded: Mapped[bool | None]
    engine: Mapped[str | None] = mapped_column(String(20))
    memory: Mapped[dict[str, Any] | None]
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("conversation_id", "position"),
        UniqueConstraint("conversation_id", "idempotency_key"),
        CheckConstraint("role IN ('user', 'assistant')", name="role_known"),
    )


class MessageCitation(IdMixin, Base):
    """A moment an answer cites: a passage of a video's analysis, checked against the evidence."""

    __tablename__ = "conversation_citations"

    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversation_messages.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    start: Mapped[float] = mapped_column(Double)
    end: Mapped[float] = mapped_column(Double)
    source: Mapped[str] = mapped_column(String(20))
    quote: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("message_id", "position"),)


class CompletionReply(IdMixin, Base):
    """The response a chat completion sent with an idempotency key gave, returned to its replays.

    ``credit_key`` is the key of the completion's credit (its usage), captured in the same
    transaction; ``body`` is the JSON response, or what a streamed one sent, to send it again.
    """

    __tablename__ = "chat_completion_replies"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    credit_key: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("workspace_id", "credit_key"),)
