"""Notification queries: each selects straight into its read model."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from visionscope.building_blocks.messages import SIGNED_IN_USER, Query, Role, in_workspace
from visionscope.features.notifications.schemas import DeliveryRead, NoticeRead, WebhookRead


@dataclass(frozen=True, kw_only=True)
class ListNotices(Query[tuple[list[NoticeRead], str | None]]):
    """The user's notices, newest first."""

    access = SIGNED_IN_USER
    user_id: uuid.UUID
    unread_only: bool = False
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, kw_only=True)
class ListWebhooks(Query[list[WebhookRead]]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ListWebhookDeliveries(Query[tuple[list[DeliveryRead], str | None]]):
    """An endpoint's deliveries, newest first, each with its attempts."""

    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    endpoint_id: uuid.UUID
    limit: int = 50
    cursor: str | None = None
