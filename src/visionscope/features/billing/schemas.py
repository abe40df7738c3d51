"""API shapes of the catalog."""

from __future__ import annotations

from pydantic import BaseModel


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
