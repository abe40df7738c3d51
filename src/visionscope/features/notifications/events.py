"""Notification events: notices created (emailed from there), webhook endpoints' life."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from visionscope.building_blocks.messages import Event


@dataclass(frozen=True, kw_only=True)
class NoticeCreated(Event):
    """A user has a new in-app notice; the email consumer sends it on when SMTP is configured."""

    aggregate_field = "notice_id"
    notice_id: uuid.UUID
    user_id: uuid.UUID
    workspace_id: uuid.UUID | None
    kind: str


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointCreated(Event):
    workspace_id: uuid.UUID
    endpoint_id: uuid.UUID
    events: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDeleted(Event):
    workspace_id: uuid.UUID
    endpoint_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDisabled(Event):
    """Deliveries kept failing: the endpoint gets nothing more until an admin enables it again."""

    workspace_id: uuid.UUID
    endpoint_id: uuid.UUID
    failures: int


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointEnabled(Event):
    workspace_id: uuid.UUID
    endpoint_id: uuid.UUID


EVENTS: tuple[type[Event], ...] = (
    NoticeCreated,
    WebhookEndpointCreated,
    WebhookEndpointDeleted,
    WebhookEndpointDisabled,
    WebhookEndpointEnabled,
)
