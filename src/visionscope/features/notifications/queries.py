"""Notification queries: each selects straight into its read model."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.errors import NotFound
from visionscope.building_blocks.messages import SIGNED_IN_USER, Query, Role, in_workspace
from visionscope.building_blocks.pagination import decode_cursor, encode_cursor
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.notifications.models import Notice, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from visionscope.features.notifications.schemas import AttemptRead, DeliveryRead, NoticeRead, WebhookRead


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
