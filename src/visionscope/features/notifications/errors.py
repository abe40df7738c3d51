"""Errors of notifications and webhooks."""

from __future__ import annotations

from visionscope.building_blocks.errors import Conflict, InvalidInput


class WebhookUrlRefused(InvalidInput):
    """The URL is not one webhooks may be sent to: wrong scheme, no host, or a private address."""

    title = "Webhook URL refused"
    slug = "webhook-url-refused"


class WebhookEndpointIsDisabled(Conflict):
    title = "Webhook endpoint disabled"
    slug = "webhook-endpoint-disabled"
