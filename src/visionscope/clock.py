"""The product's one clock: handlers receive a `Clock`; `utc_clock` is the real one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_clock() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)
