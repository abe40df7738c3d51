"""Notification command handlers."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import NotFound
from visionscope.building_blocks.pagination import decode_cursor, encode_cursor
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
from visionscope.features.notifications.models import (
    DeliveryStatus,
    Notice,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from visionscope.features.notifications.queries import (
    ListNotices,
    ListWebhookDeliveries,
    ListWebhooks,
)
from visionscope.features.notifications.schemas import (
    AttemptRead,
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
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        replay_of=original.replay_of or original.id,
        created_at=now,
    )
    uow.session.add(replay)
    await uow.flush()
    return (await delivery_reads(uow.session, [replay]))[0]


def notice_read(notice: Notice) -> NoticeRead:
    return NoticeRead(
        id=notice.id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        workspace_id=notice.workspace_id,
        data=notice.data,
        created_at=notice.created_at,
        read_at=notice.read_at,
    )


def webhook_read(endpoint: WebhookEndpoint) -> WebhookRead:
    return WebhookRead(
        id=endpoint.id,
        url=endpoint.url,
        events=list(endpoint.events),
        created_at=endpoint.created_at,
        consecutive_failures=endpoint.consecutive_failures,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
    )


async def delivery_reads(session: AsyncSession, deliveries: list[WebhookDelivery]) -> list[DeliveryRead]:
    attempts: dict[uuid.UUID, list[AttemptRead]] = defaultdict(list)
    if deliveries:
        rows = await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_([d.id for d in deliveries]))
            .order_by(WebhookAttempt.number)
        )
        for a in rows:
            attempts[a.delivery_id].append(
                AttemptRead(
                    number=a.number,
                    attempted_at=a.attempted_at,
                    duration_ms=a.duration_ms,
                    status_code=a.status_code,
                    response_body=a.response_body,
                    error=a.error,
                )
            )
    return [
        DeliveryRead(
            id=d.id,
            endpoint_id=d.endpoint_id,
            event_id=d.event_id,
            event_type=d.event_type,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            delivered_at=d.delivered_at,
            replay_of=d.replay_of,
            created_at=d.created_at,
            attempt_log=attempts[d.id],
        )
        for d in deliveries
    ]


async def endpoint_in_workspace(
    session: AsyncSession, workspace_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """The workspace's endpoint; another workspace's is as good as missing (404)."""
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.workspace_id != workspace_id:
        raise NotFound(f"No webhook with id {endpoint_id}.")
    return endpoint


async def list_notices(query: ListNotices, *, uow: UnitOfWork) -> tuple[list[NoticeRead], str | None]:
    statement = (
        select(Notice)
        .where(Notice.user_id == query.user_id)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(query.limit + 1)
    )
    if query.unread_only:
        statement = statement.where(Notice.read_at.is_(None))
    if query.cursor:
        created, last_id = decode_cursor(query.cursor)
        statement = statement.where(
            or_(Notice.created_at < created, and_(Notice.created_at == created, Notice.id < last_id))
        )
    rows = list((await uow.session.scalars(statement)).all())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return [notice_read(n) for n in rows], next_cursor


async def list_webhooks(query: ListWebhooks, *, uow: UnitOfWork) -> list[WebhookRead]:
    rows = await uow.session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.workspace_id == query.workspace_id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return [webhook_read(e) for e in rows]


async def list_webhook_deliveries(
    query: ListWebhookDeliveries, *, uow: UnitOfWork
) -> tuple[list[DeliveryRead], str | None]:
    await endpoint_in_workspace(uow.session, query.workspace_id, query.endpoint_id)
    statement = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == query.endpoint_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(query.limit + 1)
    )
    if query.cursor:
        created, last_id = decode_cursor(query.cursor)
        statement = statement.where(
            or_(
                WebhookDelivery.created_at < created,
                and_(WebhookDelivery.created_at == created, WebhookDelivery.id < last_id),
            )
        )
    rows = list((await uow.session.scalars(statement)).all())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return await delivery_reads(uow.session, rows), next_cursor
