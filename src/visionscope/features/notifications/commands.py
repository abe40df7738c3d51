"""Notification commands: mark a notice read; create, delete and replay webhooks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from visionscope.building_blocks.messages import SIGNED_IN_USER, Command, Role, in_workspace
from visionscope.features.notifications.schemas import (
    DeliveryRead,
    NoticeRead,
    WebhookEventType,
    WebhookRead,
    WebhookUrl,
    WebhookWithSecret,
)


@dataclass(frozen=True, kw_only=True)
class MarkNoticeRead(Command[NoticeRead]):
    access = SIGNED_IN_USER
    notice_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CreateWebhook(Command[WebhookWithSecret]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    url: WebhookUrl
    events: tuple[WebhookEventType, ...]
    created_by: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class DeleteWebhook(Command[None]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    endpoint_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class EnableWebhook(Command[WebhookRead]):
    """Take a disabled endpoint back into service (its failure count starts again from zero)."""

    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    endpoint_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ReplayWebhookDelivery(Command[DeliveryRead]):
    """Send a delivery again as a new delivery: a new delivery id, the same event and body."""

    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    endpoint_id: uuid.UUID
    delivery_id: uuid.UUID
