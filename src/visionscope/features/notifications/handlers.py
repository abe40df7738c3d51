"""Notification command handlers."""

from __future__ import annotations

import uuid

from visionscope.building_blocks.errors import NotFound
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.config import Settings
from visionscope.features.notifications.commands import (
    CreateWebhook,
    DeleteWebhook,
    EnableWebhook,
    MarkNoticeRead,
    ReplayWebhookDelivery,
)
from visionscope.features.notifications.destinations import check_destination, parse_webhook_url
from visionscope.features.notifications.errors import WebhookEndpointIsDisabled
from visionscope.features.notifications.events import (
    WebhookEndpointCreated,
    WebhookEndpointDeleted,
    WebhookEndpointEnabled,
)
from visionscope.features.notifications.models import Notice, WebhookDelivery, WebhookEndpoint
from visionscope.features.notifications.queries import (
    delivery_reads,
    endpoint_in_workspace,
    notice_read,
    webhook_read,
)
from visionscope.features.notifications.schemas import (
    DeliveryRead,
    NoticeRead,
    WebhookRead,
    WebhookWithSecret,
)
from visionscope.features.notifications.signing import new_webhook_secret


async def mark_notice_read(cmd: MarkNoticeRead, *, uow: UnitOfWork, clock: Clock) -> NoticeRead:
    notice = await uow.session.get(Notice, cmd.notice_id, with_for_update=True)
    if notice is None or notice.user_id != cmd.user_id:
        raise NotFound(f"No notification with id {cmd.notice_id}.")
    if notice.read_at is None:
        notice.read_at = clock()
    return notice_read(notice)


async def create_webhook(
    cmd: CreateWebhook, *, uow: UnitOfWork, clock: Clock, settings: Settings
) -> WebhookWithSecret:
    url = parse_webhook_url(cmd.url)
    await check_destination(url, allow_private=settings.webhooks_allow_private)
    events = sorted(set(cmd.events))
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        workspace_id=cmd.workspace_id,
        url=str(url),
        events=events,
        secret=new_webhook_secret(),
        created_by=cmd.created_by,
        created_at=clock(),
        consecutive_failures=0,
    )
    uow.session.add(endpoint)
    endpoint.record(
        WebhookEndpointCreated(workspace_id=cmd.workspace_id, endpoint_id=endpoint.id, events=tuple(events))
    )
    return WebhookWithSecret(**webhook_read(endpoint).model_dump(), secret=endpoint.secret)


async def delete_webhook(cmd: DeleteWebhook, *, uow: UnitOfWork) -> None:
    """Remove the endpoint with its deliveries; a send in flight finds it gone and stops."""
    endpoint = await endpoint_in_workspace(uow.session, cmd.workspace_id, cmd.endpoint_id)
    uow.record(WebhookEndpointDeleted(workspace_id=endpoint.workspace_id, endpoint_id=endpoint.id))
    await uow.session.delete(endpoint)


async def enable_webhook(cmd: EnableWebhook, *, uow: UnitOfWork) -> WebhookRead:
    endpoint = await endpoint_in_workspace(uow.session, cmd.workspace_id, cmd.endpoint_id)
    if endpoint.disabled_at is not None:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.consecutive_failures = None, None, 0
        endpoint.record(WebhookEndpointEnabled(workspace_id=endpoint.workspace_id, endpoint_id=endpoint.id))
    return webhook_read(endpoint)


async def replay_webhook_delivery(
    cmd: ReplayWebhookDelivery, *, uow: UnitOfWork, clock: Clock
) -> DeliveryRead:
    endpoint = await endpoint_in_workspace(uow.session, cmd.workspace_id, cmd.endpoint_id)
    original = await uow.session.get(WebhookDelivery, cmd.delivery_id)
    if original is None or original.endpoint_id != endpoint.id:
        raise NotFound(f"No delivery with id {cmd.delivery_id}.")
    if endpoint.disabled_at is not None:
        raise WebhookEndpointIsDisabled(
            "This webhook endpoint was disabled after repeated failures; enable it before replaying."
        )
    now = clock()
    replay = WebhookDelivery(
        id=uuid.uuid4(),
        endpoint_id=endpoint.id,
        workspace_id=endpoint.workspace_id,
        event_id=original.event_id,
        event_type=original.event_type,
        body=original.body,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        replay_of=original.replay_of or original.id,
        created_at=now,
    )
    uow.session.add(replay)
    await uow.flush()
    return (await delivery_reads(uow.session, [replay]))[0]
