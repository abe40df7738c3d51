"""Billing events: credits moving, pools changing state, tiers changing, the catalog changing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from visionscope.building_blocks.messages import Event


@dataclass(frozen=True, kw_only=True)
class CreditsReserved(Event):
    workspace_id: uuid.UUID
    feature: str
    usage_id: uuid.UUID
    credits: int
    available: int


@dataclass(frozen=True, kw_only=True)
class CreditsCaptured(Event):
    """Credits consumed: a reservation settled (``released`` is what it gave back) or a charge at once."""

    workspace_id: uuid.UUID
    feature: str
    usage_id: uuid.UUID
    credits: int
    released: int
    immediate: bool
    available: int


@dataclass(frozen=True, kw_only=True)
class CreditsReleased(Event):
    """A reservation gave all its credits back: ``reason`` is released, expired, project deleted, ..."""

    workspace_id: uuid.UUID
    feature: str
    usage_id: uuid.UUID
    credits: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class CreditsLow(Event):
    """A pool's available credits fell under its threshold."""

    workspace_id: uuid.UUID
    feature: str
    available: int
    threshold: int


@dataclass(frozen=True, kw_only=True)
class CreditsPurchased(Event):
    workspace_id: uuid.UUID
    feature: str
    credits: int
    available: int
    purchased_by: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class CreditsGranted(Event):
    """A grant outside the monthly renewal: a tier upgrade or a feature added to the tier."""

    workspace_id: uuid.UUID
    feature: str
    credits: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class CreditPoolFrozen(Event):
    workspace_id: uuid.UUID
    feature: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class CreditPoolsClosed(Event):
    """The workspace was deleted: its pools closed and its open reservations released."""

    workspace_id: uuid.UUID
    pools: int
    released_reservations: int


@dataclass(frozen=True, kw_only=True)
class PeriodRenewed(Event):
    workspace_id: uuid.UUID
    tier: str
    period_start: datetime
    period_end: datetime
    expired: int
    rolled_over: int
    granted: int


@dataclass(frozen=True, kw_only=True)
class TierChanged(Event):
    workspace_id: uuid.UUID
    from_tier: str
    to_tier: str
    direction: str


@dataclass(frozen=True, kw_only=True)
class TierChangeScheduled(Event):
    workspace_id: uuid.UUID
    from_tier: str
    to_tier: str
    effective_at: datetime


@dataclass(frozen=True, kw_only=True)
class TierChangeCancelled(Event):
    workspace_id: uuid.UUID
    to_tier: str


@dataclass(frozen=True, kw_only=True)
class CatalogLoaded(Event):
    aggregate_field = "catalog"
    catalog: str = "catalog"
    version: int


@dataclass(frozen=True, kw_only=True)
class FeatureAddedToTier(Event):
    aggregate_field = "tier"
    tier: str
    feature: str
    monthly_credits: int
    workspaces: int


@dataclass(frozen=True, kw_only=True)
class FeatureRemovedFromTier(Event):
    aggregate_field = "tier"
    tier: str
    feature: str
    workspaces: int


@dataclass(frozen=True, kw_only=True)
class MonthlyCreditsChanged(Event):
    """Takes effect at each workspace's next renewal."""

    aggregate_field = "tier"
    tier: str
    feature: str
    old: int
    new: int


@dataclass(frozen=True, kw_only=True)
class TierLimitsChanged(Event):
    aggregate_field = "tier"
    tier: str
    feature: str
    limits: dict[str, int]


@dataclass(frozen=True, kw_only=True)
class FeatureCostChanged(Event):
    """Applies to new charges only; usage logs keep the cost they were charged at."""

    aggregate_field = "feature"
    feature: str
    old: int
    new: int


@dataclass(frozen=True, kw_only=True)
class FeatureActivationChanged(Event):
    aggregate_field = "feature"
    feature: str
    is_active: bool


@dataclass(frozen=True, kw_only=True)
class TierActivationChanged(Event):
    aggregate_field = "tier"
    tier: str
    is_active: bool


@dataclass(frozen=True, kw_only=True)
class CatalogEntryAdded(Event):
    """A tier or a feature new in the catalog file (``kind`` is tier or feature)."""

    aggregate_field = "key"
    kind: str
    key: str


@dataclass(frozen=True, kw_only=True)
class CatalogEntryDeleted(Event):
    """An unreferenced tier or feature left the catalog file and was deleted."""

    aggregate_field = "key"
    kind: str
    key: str


EVENTS: tuple[type[Event], ...] = (
    CreditsReserved,
    CreditsCaptured,
    CreditsReleased,
    CreditsLow,
    CreditsPurchased,
    CreditsGranted,
    CreditPoolFrozen,
    CreditPoolsClosed,
    PeriodRenewed,
    TierChanged,
    TierChangeScheduled,
    TierChangeCancelled,
    CatalogLoaded,
    FeatureAddedToTier,
    FeatureRemovedFromTier,
    MonthlyCreditsChanged,
    TierLimitsChanged,
    FeatureCostChanged,
    FeatureActivationChanged,
    TierActivationChanged,
    CatalogEntryAdded,
    CatalogEntryDeleted,
)

# Events that change the pricing catalog: cached catalog reads (tiers on offer, pools) become stale.
CATALOG_EVENTS: tuple[type[Event], ...] = (
    CatalogLoaded,
    FeatureAddedToTier,
    FeatureRemovedFromTier,
    MonthlyCreditsChanged,
    TierLimitsChanged,
    FeatureCostChanged,
    FeatureActivationChanged,
    TierActivationChanged,
    CatalogEntryAdded,
    CatalogEntryDeleted,
)
