"""API shapes of the catalog, credit pools, statements, usage and tier changes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_CREDITS = 1_000_000_000
MAX_QUANTITY = 1_000_000
FeatureKey = Annotated[str, StringConstraints(min_length=1, max_length=60)]
TierKey = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class TierFeatureRead(BaseModel):
    key: str
    name: str
    unit: str
    credits_per_unit: int
    monthly_credits: int
    limits: dict[str, int]


class FeatureGroupRead(BaseModel):
    group: str
    features: list[TierFeatureRead]


class TierRead(BaseModel):
    key: str
    name: str
    monthly_price_cents: int
    rollover: bool
    groups: list[FeatureGroupRead]


class PoolRead(BaseModel):
    feature: str
    group: str
    unit: str
    status: str
    granted: int
    purchased: int
    used: int
    reserved: int
    available: int
    used_from_grant: int
    used_from_purchased: int
    period_start: datetime
    period_end: datetime


class GroupCreditsRead(BaseModel):
    group: str
    granted: int
    purchased: int
    used: int
    reserved: int
    available: int


class LedgerEntryRead(BaseModel):
    id: int
    at: datetime
    kind: str
    credits: int
    change: int
    balance: int
    note: str
    usage_id: uuid.UUID | None


class StatementRead(BaseModel):
    """A pool's statement: each line's ``change`` moved ``available``; ``balance`` is what it became."""

    feature: str
    pool: PoolRead
    items: list[LedgerEntryRead]
    next_cursor: str | None


class UsageRead(BaseModel):
    """A metered operation; ``available_after`` is the pool's balance right after it was recorded."""

    id: uuid.UUID
    feature: str
    quantity: int
    credits: int
    unit_cost: int
    state: str
    idempotency_key: str
    operation: str
    project_id: uuid.UUID | None
    user_id: uuid.UUID | None
    available_after: int
    created_at: datetime
    settled_at: datetime | None


class PurchaseRead(BaseModel):
    id: int
    feature: str
    credits: int
    available_after: int
    created_at: datetime


class PendingTierChangeRead(BaseModel):
    tier: str
    effective_at: datetime
    requested_at: datetime


class TierChangeRead(BaseModel):
    tier: str
    direction: str
    pending: PendingTierChangeRead | None


class UsageRowRead(BaseModel):
    key: str
    label: str
    operations: int
    quantity: int
    credits: int


class UsageReportRead(BaseModel):
    start: datetime
    end: datetime
    group_by: str
    rows: list[UsageRowRead]


class HourFiguresRead(BaseModel):
    hour: datetime
    credits: int
    value_cents: float


class WorkspaceVideosRead(BaseModel):
    workspace_id: uuid.UUID
    videos: int


class ProcessingTimeRead(BaseModel):
    feature: str
    operations: int
    average_seconds: float


class BusinessFiguresRead(BaseModel):
    start: datetime
    end: datetime
    hours: list[HourFiguresRead]
    videos: list[WorkspaceVideosRead]
    processing: list[ProcessingTimeRead]


class TopUpCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    feature: FeatureKey
    credits: Annotated[int, Field(gt=0, le=MAX_CREDITS)]


class UsageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    feature: FeatureKey
    quantity: Annotated[int, Field(gt=0, le=MAX_QUANTITY)]
    project_id: uuid.UUID | None = None
    operation: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "api"


class TierChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tier: TierKey
