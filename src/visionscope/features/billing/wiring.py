"""Billing's handler table."""

from __future__ import annotations

from visionscope.building_blocks.consumers import Subscription
from visionscope.building_blocks.mediator import Handler
from visionscope.building_blocks.wiring import bind
from visionscope.collaborators import Collaborators
from visionscope.features.billing import catalog, queries


def message_handlers(c: Collaborators) -> dict[type, Handler]:
    return {
        catalog.LoadCatalog: bind(catalog.load_catalog),
        queries.GetTiers: bind(queries.get_tiers),
    }


def event_subscriptions(c: Collaborators) -> list[Subscription]:
    return []
