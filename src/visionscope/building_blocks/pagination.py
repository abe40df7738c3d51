"""Opaque cursors for ``?limit=&cursor=`` lists, ordered by creation time and id."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

from visionscope.building_blocks.errors import InvalidInput


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(created), uuid.UUID(row_id)
    except (ValueError, TypeError) as err:
        raise InvalidInput(
            "The cursor is not one this API gave out.", errors=[{"field": "cursor", "message": str(err)}]
        ) from None
