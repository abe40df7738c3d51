"""Consumers that turn domain events into webhook deliveries; the sender job sends them."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from visionscope.building_blocks.db import utcnow
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from visionscope.features.notifications.signing import webhook_body
from visionscope.features.workspaces.events import WorkspaceDeleted


async def enqueue_deliveries(event: Event, uow: UnitOfWork, *, public_type: str) -> None:
    """One pending delivery per enabled endpoint of the event's workspace that chose ``public_type``.

    Only endpoints that existed when the event happened get it, however late the consumer runs.
    """
    if event.workspace is None:
        return
    endpoints = await uow.session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.workspace_id == event.workspace,
            WebhookEndpoint.disabled_at.is_(None),
            WebhookEndpoint.created_at <= event.occurred_at,
        )
    )
    body = webhook_body(event, public_type)
    now = utcnow()
    for endpoint in endpoints:
        if public_type not in endpoint.events:
            continue
        uow.session.add(
            WebhookDelivery(
                id=uuid.uuid4(),
                endpoint_id=endpoint.id,
                workspace_id=endpoint.workspace_id,
                event_id=event.event_id,
                event_type=public_type,
                body=body,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


async def fail_pending_deliveries(uow: UnitOfWork, endpoint_id: uuid.UUID, reason: str) -> None:
    """Stop what an endpoint still had waiting; the deliveries stay listed and can be replayed."""
    await uow.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.FAILED, next_attempt_at=None, lease_until=None, last_error=reason[:300])
    )


async def disable_workspace_webhooks(event: WorkspaceDeleted, uow: UnitOfWork) -> None:
    """A deleted workspace sends nothing more."""
    endpoints = await uow.session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.workspace_id == event.workspace_id, WebhookEndpoint.disabled_at.is_(None)
        )
    )
    for endpoint in endpoints:
        endpoint.disabled_at, endpoint.disabled_reason = utcnow(), "workspace deleted"
        await fail_pending_deliveries(uow, endpoint.id, "workspace deleted")
