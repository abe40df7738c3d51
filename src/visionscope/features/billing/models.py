"""The catalog tables: tiers, features and what each tier offers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from visionscope.building_blocks.db import Base, IdMixin, TimestampMixin


class PricingTier(IdMixin, TimestampMixin, Base):
    __tablename__ = "pricing_tiers"

    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    monthly_price_cents: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)
    rollover: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (CheckConstraint("monthly_price_cents >= 0", name="price_not_negative"),)


class FeatureDefinition(IdMixin, TimestampMixin, Base):
    __tablename__ = "feature_definitions"

    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    group: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(40))
    credits_per_unit: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (CheckConstraint("credits_per_unit >= 0", name="cost_not_negative"),)


class TierFeature(IdMixin, TimestampMixin, Base):
    __tablename__ = "tier_features"

    tier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pricing_tiers.id", ondelete="RESTRICT"))
    feature_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feature_definitions.id", ondelete="RESTRICT"))
    enabled: Mapped[bool] = mapped_column(default=True)
    monthly_credits: Mapped[int]
    limits: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        UniqueConstraint("tier_id", "feature_id"),
        CheckConstraint("monthly_credits >= 0", name="grant_not_negative"),
    )
