"""What handlers may depend on, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from visionscope.building_blocks.storage import Storage
from visionscope.clock import Clock
from visionscope.config import Settings
from visionscope.features.identity.public import TokenIssuer


@dataclass(frozen=True)
class HandlerDeps:
    """The dependency bundle each feature's wiring binds into its handlers."""

    settings: Settings
    clock: Clock
    issuer: TokenIssuer
    refresh_ttl: timedelta
    storage: Storage
