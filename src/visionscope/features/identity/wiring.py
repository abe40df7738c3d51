"""Identity's handler table."""

from __future__ import annotations

from visionscope.building_blocks.consumers import Subscription
from visionscope.building_blocks.mediator import Handler
from visionscope.building_blocks.wiring import bind
from visionscope.dependencies import HandlerDeps
from visionscope.features.identity import commands, handlers, queries


def message_handlers(c: HandlerDeps) -> dict[type, Handler]:
    tokens = {"clock": c.clock, "issuer": c.issuer, "refresh_ttl": c.refresh_ttl}
    return {
        commands.RegisterUser: bind(handlers.register_user, clock=c.clock),
        commands.SignIn: bind(handlers.sign_in, **tokens),
        commands.RefreshSession: bind(handlers.refresh_session, **tokens),
        commands.SignOut: bind(handlers.sign_out, clock=c.clock),
        commands.DeleteAccount: bind(handlers.delete_account, clock=c.clock),
        commands.CreateApiKey: bind(handlers.create_api_key, clock=c.clock),
        commands.RevokeApiKey: bind(handlers.revoke_api_key, clock=c.clock),
        queries.GetMe: bind(handlers.get_me),
        queries.ListApiKeys: bind(handlers.list_api_keys),
    }


def event_subscriptions(c: HandlerDeps) -> list[Subscription]:
    return []
