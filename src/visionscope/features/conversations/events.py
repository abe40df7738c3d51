"""Conversation events: the audit trail of who asked what of which workspace's videos."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from visionscope.building_blocks.messages import Event


@dataclass(frozen=True, kw_only=True)
class ConversationStarted(Event):
    aggregate_field = "conversation_id"
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    conversation_id: uuid.UUID
    video_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class QuestionAnswered(Event):
    aggregate_field = "project_id"
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    conversation_id: uuid.UUID | None
    """None for a stateless chat completion."""
    message_id: uuid.UUID | None
    grounded: bool
    engine: str
    citations: int


@dataclass(frozen=True, kw_only=True)
class ProjectSearched(Event):
    aggregate_field = "project_id"
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    results: int


EVENTS: tuple[type[Event], ...] = (ConversationStarted, QuestionAnswered, ProjectSearched)
