"""API shapes of notices, webhook endpoints and deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# The event types a webhook endpoint may choose; the product's domain events map onto them.
WebhookEventType = Literal[
    "video.ready", "video.failed", "credits.low", "workspace.tier_changed", "collaborator.added"
]
WebhookUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class NoticeRead(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    workspace_id: uuid.UUID | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: WebhookUrl
    events: Annotated[list[WebhookEventType], Field(min_length=1, max_length=20)]


class WebhookRead(BaseModel):
    id: uuid.UUID
    url: str
    events: list[str]
    created_at: datetime
    consecutive_failures: int
    disabled_at: datetime | None
    disabled_reason: str | None


class WebhookWithSecret(WebhookRead):
    """Answered once, at creation: the secret that signs every delivery."""

    secret: str


class AttemptRead(BaseModel):
    number: int
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    response_body: str | None
    error: str | None


class DeliveryRead(BaseModel):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    replay_of: uuid.UUID | None
    created_at: datetime
    attempt_log: list[AttemptRead]
