"""Webhook bodies, secrets and signatures.

``VisionScope-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>``
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.outbox import event_payload

SIGNATURE_HEADER = "VisionScope-Signature"
DELIVERY_HEADER = "VisionScope-Delivery"
EVENT_HEADER = "VisionScope-Event"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that marks the secret, not a secret
_ENVELOPE_FIELDS = ("event_id", "occurred_at", "workspace_id")


def new_webhook_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def webhook_body(event: Event, public_type: str) -> str:
    """``{id, type, created_at, workspace_id, data}``; ``id`` is the event's, the same on every retry."""
    payload = event_payload(event)
    data = {k: v for k, v in payload.items() if k not in _ENVELOPE_FIELDS}
    body: dict[str, Any] = {
        "id": str(event.event_id),
        "type": public_type,
        "created_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "workspace_id": str(event.workspace) if event.workspace else None,
        "data": data,
    }
    return json.dumps(body, separators=(",", ":"))


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: recompute the HMAC and refuse stale timestamps (replayed requests)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
