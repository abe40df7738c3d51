"""Billing commands.

The credit commands are sent by other features (with a system context: analysis, chat, search) and
by the usage route; each is idempotent by its key. ExpireReservations and RenewPeriods are sent by
the scheduler.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from visionscope.building_blocks.messages import SYSTEM_ONLY, Command, Role, in_workspace
from visionscope.features.billing.schemas import (
    MAX_CREDITS,
    MAX_QUANTITY,
    PurchaseRead,
    TierChangeRead,
    UsageRead,
)

FeatureKey = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Operation = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Quantity = Annotated[int, Field(gt=0, le=MAX_QUANTITY)]
RESERVATION_HOURS = 12  # a reservation nobody settled within this is released by the sweeper


@dataclass(frozen=True, kw_only=True)
class ReserveCredits(Command[UsageRead]):
    """Hold ``quantity x credits_per_unit`` credits for long work (an analysis, when accepted)."""

    access = in_workspace(Role.EDITOR)
    workspace_id: uuid.UUID
    feature: FeatureKey
    quantity: Quantity
    idempotency_key: Key
    operation: Operation
    user_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class CaptureCredits(Command[UsageRead]):
    """Settle a reservation for the ``quantity`` really used (at most what was reserved)."""

    access = in_workspace(Role.EDITOR)
    workspace_id: uuid.UUID
    idempotency_key: Key  # the reservation's key
    quantity: Annotated[int, Field(ge=0, le=MAX_QUANTITY)]


@dataclass(frozen=True, kw_only=True)
class ReleaseCredits(Command[UsageRead]):
    """Give all of a reservation back (the work failed or was cancelled)."""

    access = in_workspace(Role.EDITOR)
    workspace_id: uuid.UUID
    idempotency_key: Key  # the reservation's key


@dataclass(frozen=True, kw_only=True)
class ChargeCredits(Command[UsageRead]):
    """Use credits at once for short work (a chat message, a search)."""

    access = in_workspace(Role.EDITOR)
    workspace_id: uuid.UUID
    feature: FeatureKey
    quantity: Quantity
    idempotency_key: Key
    operation: Operation
    user_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class TopUpCredits(Command[PurchaseRead]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    feature: FeatureKey
    credits: Annotated[int, Field(gt=0, le=MAX_CREDITS)]
    idempotency_key: Key | None = None
    purchased_by: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class ChangeTier(Command[TierChangeRead]):
    """Upgrade at once with prorated grants; a downgrade waits for the end of the period."""

    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    tier: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    requested_by: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class CancelTierChange(Command[None]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ExpireReservations(Command[int]):
    """Release reservations older than ``older_than_hours``; sent by the scheduler."""

    access = SYSTEM_ONLY
    older_than_hours: Annotated[float, Field(ge=0)] = RESERVATION_HOURS
    limit: Annotated[int, Field(gt=0, le=10_000)] = 500


@dataclass(frozen=True, kw_only=True)
class RenewPeriods(Command[int]):
    """Start the next period of workspaces whose period ended; sent by the scheduler."""

    access = SYSTEM_ONLY
    limit: Annotated[int, Field(gt=0, le=10_000)] = 100


@dataclass(frozen=True, kw_only=True)
class LoadCatalog(Command[dict[str, int]]):
    """Bring the catalog tables in line with a catalog file (sent by the CLI and at start-up)."""

    access = SYSTEM_ONLY
    catalog: dict[str, Any]
