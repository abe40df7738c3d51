"""API shapes of conversations, messages, citations and project search."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: Longer questions are refused with 413 (the body itself is capped by the server at 1 MB).
MAX_QUESTION_CHARS = 2000
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ConversationCreate(BaseModel):
    """Either a video (a conversation about it) or a project (about all its analysed videos)."""

    model_config = ConfigDict(extra="forbid")
    video_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> ConversationCreate:
        if (self.video_id is None) == (self.project_id is None):
            raise ValueError("give either video_id or project_id")
        return self


class CitationRead(BaseModel):
    video_id: uuid.UUID
    start: float
    end: float
    source: str
    quote: str


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content: Question


class MessageRead(BaseModel):
    id: uuid.UUID
    conversation_id: uuid.UUID
    role: Literal["user", "assistant"]
    content: str
    grounded: bool | None = None
    engine: str | None = None
    citations: list[CitationRead] = []
    created_at: datetime


class ConversationRead(BaseModel):
    id: uuid.UUID
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    video_id: uuid.UUID | None
    title: str | None
    message_count: int
    created_at: datetime
    updated_at: datetime
    messages: list[MessageRead] | None = None


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    limit: Annotated[int, Field(ge=1, le=100)] = 10


class SearchHitRead(BaseModel):
    video_id: uuid.UUID
    start: float
    end: float
    score: float
    source: str
    snippet: str
