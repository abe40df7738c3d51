"""Billing's handler table."""

from __future__ import annotations

from visionscope.building_blocks.consumers import Subscription
from visionscope.building_blocks.mediator import Handler
from visionscope.building_blocks.wiring import bind
from visionscope.dependencies import HandlerDeps
from visionscope.features.billing import catalog, commands, handlers, queries, renewal, reports, tiers


def message_handlers(c: HandlerDeps) -> dict[type, Handler]:
    return {
        catalog.LoadCatalog: bind(catalog.load_catalog, clock=c.clock),
        commands.ReserveCredits: bind(handlers.reserve_credits, clock=c.clock),
        commands.CaptureCredits: bind(handlers.capture_credits, clock=c.clock),
        commands.ReleaseCredits: bind(handlers.release_credits, clock=c.clock),
        commands.ChargeCredits: bind(handlers.charge_credits, clock=c.clock),
        commands.TopUpCredits: bind(handlers.top_up_credits, clock=c.clock),
        commands.ExpireReservations: bind(handlers.expire_reservations, clock=c.clock),
        commands.RenewPeriods: bind(renewal.renew_periods, clock=c.clock),
        commands.ChangeTier: bind(tiers.change_tier, clock=c.clock),
        commands.CancelTierChange: bind(tiers.cancel_tier_change, clock=c.clock),
        queries.GetTiers: bind(queries.get_tiers),
        queries.GetCreditPools: bind(queries.get_credit_pools),
        queries.GetStatement: bind(queries.get_statement),
        reports.GetUsage: bind(reports.get_usage),
        reports.GetBusinessFigures: bind(reports.get_business_figures),
    }


def event_subscriptions(c: HandlerDeps) -> list[Subscription]:
    return []
