"""Billing's handler table."""

from __future__ import annotations

from visionscope.building_blocks.consumers import Subscription
from visionscope.building_blocks.mediator import Handler
from visionscope.building_blocks.wiring import bind
from visionscope.dependencies import HandlerDeps
from visionscope.features.billing import commands, handlers, queries


def message_handlers(c: HandlerDeps) -> dict[type, Handler]:
    return {
        commands.LoadCatalog: bind(handlers.load_catalog, clock=c.clock),
        commands.ReserveCredits: bind(handlers.reserve_credits, clock=c.clock),
        commands.CaptureCredits: bind(handlers.capture_credits, clock=c.clock),
        commands.ReleaseCredits: bind(handlers.release_credits, clock=c.clock),
        commands.ChargeCredits: bind(handlers.charge_credits, clock=c.clock),
        commands.TopUpCredits: bind(handlers.top_up_credits, clock=c.clock),
        commands.ExpireReservations: bind(handlers.expire_reservations, clock=c.clock),
        commands.RenewPeriods: bind(handlers.renew_periods, clock=c.clock),
        commands.ChangeTier: bind(handlers.change_tier, clock=c.clock),
        commands.CancelTierChange: bind(handlers.cancel_tier_change, clock=c.clock),
        queries.GetTiers: bind(handlers.get_tiers),
        queries.GetCreditPools: bind(handlers.get_credit_pools),
        queries.GetStatement: bind(handlers.get_statement),
        queries.GetUsage: bind(handlers.get_usage),
        queries.GetBusinessFigures: bind(handlers.get_business_figures),
    }


def event_subscriptions(c: HandlerDeps) -> list[Subscription]:
    return []
