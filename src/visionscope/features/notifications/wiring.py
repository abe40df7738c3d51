"""Notifications' handler table and event subscriptions.

To notify about another event, add one line to ``notice_subscriptions`` (with its notice
function in notices.py); to offer it to webhooks, add one line to ``WEBHOOK_EVENTS`` and its
public name to ``schemas.WebhookEventType``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from visionscope.building_blocks.consumers import Subscription
from visionscope.building_blocks.mediator import Handler
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.building_blocks.wiring import bind
from visionscope.dependencies import HandlerDeps
from visionscope.features.billing.events import CreditsLow, TierChanged
from visionscope.features.notifications import commands, handlers, notices, queries, webhooks
from visionscope.features.notifications.email import SmtpMailer, email_notice
from visionscope.features.notifications.events import NoticeCreated, WebhookEndpointDisabled
from visionscope.features.videos.events import VideoAnalysed, VideoAnalysisFailed
from visionscope.features.workspaces.events import CollaboratorAdded, OwnershipTransferred, WorkspaceDeleted

QUEUE = "notifications"
NOTICES = "notifications.notices"
EMAIL = "notifications.email"
WEBHOOK_DELIVERIES = "notifications.webhook_deliveries"
WEBHOOK_ENDPOINTS = "notifications.webhook_endpoints"

# Domain events that webhooks deliver, by their public name (see schemas.WebhookEventType).
WEBHOOK_EVENTS: dict[type[Event], str] = {
    CollaboratorAdded: "collaborator.added",
    VideoAnalysed: "video.ready",
    VideoAnalysisFailed: "video.failed",
    CreditsLow: "credits.low",
    TierChanged: "workspace.tier_changed",
}

E = TypeVar("E", bound=Event)


def subscribe(
    event_type: type[E], consumer: str, handler: Callable[[E, UnitOfWork], Awaitable[None]]
) -> Subscription:
    """A subscription on the notifications queue for a handler typed to its one event class."""

    async def run(event: Event, uow: UnitOfWork) -> None:
        if not isinstance(event, event_type):
            raise TypeError(f"{consumer} got {type(event).__name__}, expected {event_type.__name__}")
        await handler(event, uow)

    run.__name__ = getattr(handler, "__name__", consumer)
    return Subscription(event_type, QUEUE, consumer, run)


def notice_subscriptions() -> list[Subscription]:
    return [
        subscribe(CollaboratorAdded, NOTICES, notices.collaborator_added),
        subscribe(OwnershipTransferred, NOTICES, notices.ownership_transferred),
        subscribe(WorkspaceDeleted, NOTICES, notices.workspace_deleted),
        subscribe(WebhookEndpointDisabled, NOTICES, notices.webhook_endpoint_disabled),
        subscribe(VideoAnalysed, NOTICES, notices.video_ready),
        subscribe(VideoAnalysisFailed, NOTICES, notices.video_failed),
        subscribe(CreditsLow, NOTICES, notices.credits_low),
        subscribe(TierChanged, NOTICES, notices.tier_changed),
    ]


def message_handlers(c: HandlerDeps) -> dict[type, Handler]:
    return {
        commands.MarkNoticeRead: bind(handlers.mark_notice_read, clock=c.clock),
        commands.CreateWebhook: bind(handlers.create_webhook, clock=c.clock, settings=c.settings),
        commands.DeleteWebhook: bind(handlers.delete_webhook),
        commands.EnableWebhook: bind(handlers.enable_webhook),
        commands.ReplayWebhookDelivery: bind(handlers.replay_webhook_delivery, clock=c.clock),
        queries.ListNotices: bind(handlers.list_notices),
        queries.ListWebhooks: bind(handlers.list_webhooks),
        queries.ListWebhookDeliveries: bind(handlers.list_webhook_deliveries),
    }


def event_subscriptions(c: HandlerDeps) -> list[Subscription]:
    mailer = SmtpMailer.from_settings(c.settings)
    return [
        *notice_subscriptions(),
        subscribe(NoticeCreated, EMAIL, partial(email_notice, mailer=mailer)),
        *(
            Subscription(
                event_type, QUEUE, WEBHOOK_DELIVERIES, partial(webhooks.enqueue_deliveries, public_type=name)
            )
            for event_type, name in WEBHOOK_EVENTS.items()
        ),
        subscribe(WorkspaceDeleted, WEBHOOK_ENDPOINTS, webhooks.disable_workspace_webhooks),
    ]
