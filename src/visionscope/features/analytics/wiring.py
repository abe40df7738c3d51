"""Analytics' handler table: it counts every event the product records."""

from __future__ import annotations

from collections.abc import Iterable

from visionscope.building_blocks.consumers import Subscription
from visionscope.building_blocks.mediator import Handler
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.wiring import bind
from visionscope.collaborators import Collaborators
from visionscope.features.analytics import handlers, queries


def message_handlers(c: Collaborators) -> dict[type, Handler]:
    return {queries.GetActivity: bind(queries.get_activity)}


def event_subscriptions(c: Collaborators, all_events: Iterable[type[Event]]) -> list[Subscription]:
    return [
        Subscription(event_type, "analytics", "analytics.count_activity", handlers.count_activity)
        for event_type in all_events
    ]
