"""Analytics' handler table: it counts every event the product records and folds business figures."""

from __future__ import annotations

from collections.abc import Iterable

from visionscope.building_blocks.consumers import Subscription
from visionscope.building_blocks.mediator import Handler, Mediator
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.wiring import bind
from visionscope.dependencies import HandlerDeps
from visionscope.features.analytics import handlers, queries
from visionscope.features.analytics.sources import CreditValues
from visionscope.features.billing.events import CreditsCaptured
from visionscope.features.videos.events import VideoAnalysed, VideoAnalysisFailed

FIGURES = "analytics.figures"


def message_handlers(c: HandlerDeps) -> dict[type, Handler]:
    return {
        queries.GetActivity: bind(handlers.get_activity),
        queries.GetWorkspaceFigures: bind(handlers.get_workspace_figures, clock=c.clock),
    }


def event_subscriptions(
    c: HandlerDeps, mediator: Mediator, all_events: Iterable[type[Event]]
) -> list[Subscription]:
    return [
        *(
            Subscription(
                event_type,
                "analytics",
                "analytics.count_activity",
                handlers.count_activity,
                handle_many=handlers.count_activities,
            )
            for event_type in all_events
        ),
        Subscription(
            CreditsCaptured, "analytics", FIGURES, handlers.credits_consumed(CreditValues(mediator))
        ),
        Subscription(VideoAnalysed, "analytics", FIGURES, handlers.video_analyzed(c.storage)),
        Subscription(VideoAnalysisFailed, "analytics", FIGURES, handlers.video_failed),
    ]
