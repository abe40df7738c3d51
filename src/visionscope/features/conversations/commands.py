"""Conversation commands: start a conversation, record an answer, charge a chat completion or a
search, hold and settle a completion's credit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import StringConstraints

from visionscope.building_blocks.messages import (
    Command,
    Role,
    in_conversation,
    in_project,
    in_video,
    in_workspace,
)
from visionscope.features.conversations.answers.citations import Citation
from visionscope.features.conversations.schemas import ConversationRead, MessageRead

Key = Annotated[str, StringConstraints(max_length=200)]
Digest = Annotated[str, StringConstraints(min_length=1, max_length=64)]
CHAT, SEARCH = "chat_message", "search"  # the billing features a question and a search are charged to


@dataclass(frozen=True, kw_only=True)
class StartVideoConversation(Command[ConversationRead]):
    access = in_video(Role.VIEWER)
    video_id: uuid.UUID
    started_by: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class StartProjectConversation(Command[ConversationRead]):
    access = in_project(Role.VIEWER)
    project_id: uuid.UUID
    started_by: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class AnswerToRecord:
    """An answer the engine gave, with what its conversation should remember of it."""

    content: str
    grounded: bool
    engine: str
    citations: tuple[Citation, ...]
    memory: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class RecordAnswer(Command[MessageRead]):
    """Charge one chat_message and store the question and its answer, or nothing when refused."""

    access = in_conversation(Role.VIEWER)
    conversation_id: uuid.UUID
    question: str
    answer: AnswerToRecord
    author_id: uuid.UUID | None
    idempotency_key: Key | None = None
    hold_key: Key | None = None  # a credit held while the answer streamed: released as it is charged


@dataclass(frozen=True, kw_only=True)
class ChargeCompletion(Command[None]):
    """Charge one chat_message for a stateless chat completion (nothing else is stored)."""

    access = in_workspace(Role.VIEWER)
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    user_id: uuid.UUID | None
    grounded: bool
    engine: str
    citations: int
    idempotency_key: Key | None = None


@dataclass(frozen=True, kw_only=True)
class ChargeSearch(Command[None]):
    """Charge one search; ``digest`` fingerprints the search, to tie an idempotency key to it."""

    access = in_project(Role.VIEWER)
    project_id: uuid.UUID
    user_id: uuid.UUID | None
    results: int
    idempotency_key: Key | None = None
    digest: Annotated[str, StringConstraints(max_length=64)] = ""


@dataclass(frozen=True)
class CreditHold:
    """The reservation's key, and the response of the same request answered (and paid) before:
    what is sent again instead of answering again."""

    key: str
    replay: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class HoldCompletionCredit(Command[CreditHold]):
    access = in_workspace(Role.VIEWER)
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    user_id: uuid.UUID | None
    digest: Digest
    idempotency_key: Key | None = None


@dataclass(frozen=True, kw_only=True)
class SettleCompletionCredit(Command[None]):
    """Capture the held credit of a delivered answer; give it back when nothing was delivered."""

    access = in_workspace(Role.VIEWER)
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    hold_key: Key
    delivered: bool
    grounded: bool = False
    engine: str = ""
    citations: int = 0
    reply: dict[str, Any] | None = None  # kept for replays of the request's idempotency key
