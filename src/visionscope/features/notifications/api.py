"""Notification routes: the signed-in user's notices; a workspace's webhooks and their deliveries."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from visionscope.building_blocks.mediator import Context
from visionscope.building_blocks.messages import UserActor, acting_user
from visionscope.building_blocks.web import ContextDep, MediatorDep, PageDep, page_of
from visionscope.features.notifications.commands import (
    CreateWebhook,
    DeleteWebhook,
    EnableWebhook,
    MarkNoticeRead,
    ReplayWebhookDelivery,
)
from visionscope.features.notifications.queries import ListNotices, ListWebhookDeliveries, ListWebhooks
from visionscope.features.notifications.schemas import (
    DeliveryRead,
    NoticeRead,
    WebhookCreate,
    WebhookRead,
    WebhookWithSecret,
)

router = APIRouter(prefix="/v1", tags=["notifications"])
NO_CONTENT = status.HTTP_204_NO_CONTENT


def _signed_in_user(ctx: Context) -> uuid.UUID:
    """The user whose notices these are; API keys are refused by the messages' access rule."""
    return ctx.actor.user_id if isinstance(ctx.actor, UserActor) else uuid.UUID(int=0)


@router.get("/notifications")
async def list_notifications(
    page: PageDep,
    mediator: MediatorDep,
    ctx: ContextDep,
    unread: Annotated[bool, Query(description="Only notices not yet read.")] = False,
) -> dict[str, Any]:
    items, next_cursor = await mediator.send(
        ListNotices(user_id=_signed_in_user(ctx), unread_only=unread, limit=page.limit, cursor=page.cursor),
        ctx,
    )
    return page_of(items, next_cursor)


@router.post("/notifications/{notification_id}/read")
async def mark_notification_read(
    notification_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> NoticeRead:
    return await mediator.send(MarkNoticeRead(notice_id=notification_id, user_id=_signed_in_user(ctx)), ctx)


@router.post("/workspaces/{workspace_id}/webhooks", status_code=status.HTTP_201_CREATED)
async def create_webhook(
    workspace_id: uuid.UUID, body: WebhookCreate, mediator: MediatorDep, ctx: ContextDep
) -> WebhookWithSecret:
    """The answer carries the signing secret; it is shown this once."""
    return await mediator.send(
        CreateWebhook(
            workspace_id=workspace_id,
            url=body.url,
            events=tuple(body.events),
            created_by=acting_user(ctx.actor),
        ),
        ctx,
    )


@router.get("/workspaces/{workspace_id}/webhooks")
async def list_webhooks(workspace_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> dict[str, Any]:
    return page_of(await mediator.send(ListWebhooks(workspace_id=workspace_id), ctx), None)


@router.delete("/workspaces/{workspace_id}/webhooks/{hook_id}", status_code=NO_CONTENT)
async def delete_webhook(
    workspace_id: uuid.UUID, hook_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> Response:
    await mediator.send(DeleteWebhook(workspace_id=workspace_id, endpoint_id=hook_id), ctx)
    return Response(status_code=NO_CONTENT)


@router.post("/workspaces/{workspace_id}/webhooks/{hook_id}/enable")
async def enable_webhook(
    workspace_id: uuid.UUID, hook_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> WebhookRead:
    return await mediator.send(EnableWebhook(workspace_id=workspace_id, endpoint_id=hook_id), ctx)


@router.get("/workspaces/{workspace_id}/webhooks/{hook_id}/deliveries")
async def list_webhook_deliveries(
    workspace_id: uuid.UUID, hook_id: uuid.UUID, page: PageDep, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, Any]:
    items, next_cursor = await mediator.send(
        ListWebhookDeliveries(
            workspace_id=workspace_id, endpoint_id=hook_id, limit=page.limit, cursor=page.cursor
        ),
        ctx,
    )
    return page_of(items, next_cursor)


@router.post(
    "/workspaces/{workspace_id}/webhooks/{hook_id}/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
)
async def replay_webhook_delivery(
    workspace_id: uuid.UUID,
    hook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    mediator: MediatorDep,
    ctx: ContextDep,
) -> DeliveryRead:
    """Send the delivery again as a new delivery (new delivery id, same event id and body)."""
    return await mediator.send(
        ReplayWebhookDelivery(workspace_id=workspace_id, endpoint_id=hook_id, delivery_id=delivery_id), ctx
    )
