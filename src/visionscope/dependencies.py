"""The collaborators handlers receive, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from visionscope.building_blocks.storage import Storage
from visionscope.config import Settings
from visionscope.features.identity.security import TokenIssuer

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Collaborators:
    settings: Settings
    clock: Clock
    issuer: TokenIssuer
    refresh_ttl: timedelta
    storage: Storage
