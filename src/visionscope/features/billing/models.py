"""Billing tables: the catalog (tiers, features, what each tier offers), credit pools, usage logs,
the pools' ledger and tier changes."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from visionscope.building_blocks.db import Base, IdMixin, TimestampMixin, stored_as_value, utcnow
from visionscope.building_blocks.outbox import BIGINT_PK


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


class PoolStatus(enum.StrEnum):
    """A credit pool is active while its tier offers the feature, frozen when the tier stops offering
    it (purchased credits are kept), closed when the workspace is deleted."""

    ACTIVE = "active"
    FROZEN = "frozen"
    CLOSED = "closed"


class TierChangeStatus(enum.StrEnum):
    """An upgrade is applied at once; a downgrade is pending until the period ends, or cancelled."""

    PENDING = "pending"
    APPLIED = "applied"
    CANCELLED = "cancelled"


class UsageState(enum.StrEnum):
    """A metered operation is reserved, then captured or released; a charge is captured at once."""

    RESERVED = "reserved"
    CAPTURED = "captured"
    RELEASED = "released"


ENTRY_KINDS = ("grant", "purchase", "reservation", "charge", "capture", "release", "expiry")

CREDITS = BigInteger().with_variant(Integer(), "sqlite")


class CreditPool(IdMixin, TimestampMixin, Base):
    """One credit pool per workspace and feature.

    ``available = granted + purchased - used - reserved``; ``used_from_grant`` is the part of ``used``
    taken from the monthly grant (the rest came from purchased credits). The CHECK constraints keep
    every balance non-negative whatever the application does.
    """

    __tablename__ = "workspace_credits"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    feature_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feature_definitions.id", ondelete="RESTRICT"), index=True
    )
    granted: Mapped[int] = mapped_column(CREDITS, default=0)
    purchased: Mapped[int] = mapped_column(CREDITS, default=0)
    used: Mapped[int] = mapped_column(CREDITS, default=0)
    reserved: Mapped[int] = mapped_column(CREDITS, default=0)
    used_from_grant: Mapped[int] = mapped_column(CREDITS, default=0)
    status: Mapped[PoolStatus] = mapped_column(stored_as_value(PoolStatus, 10), default=PoolStatus.ACTIVE)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("workspace_id", "feature_id"),
        CheckConstraint("granted >= 0", name="granted_not_negative"),
        CheckConstraint("purchased >= 0", name="purchased_not_negative"),
        CheckConstraint("used >= 0", name="used_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint(
            "used_from_grant >= 0 AND used_from_grant <= used AND used_from_grant <= granted",
            name="grant_use_within_grant",
        ),
        CheckConstraint("used - used_from_grant <= purchased", name="purchase_use_within_purchases"),
        CheckConstraint("granted + purchased - used - reserved >= 0", name="available_not_negative"),
        CheckConstraint("status IN ('active', 'frozen', 'closed')", name="status_known"),
    )


class UsageLog(IdMixin, Base):
    """One metered operation: reserved, then captured or released; or captured at once."""

    __tablename__ = "usage_logs"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="RESTRICT"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workspace_projects.id", ondelete="RESTRICT"), index=True
    )
    feature_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feature_definitions.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[int]
    credits: Mapped[int] = mapped_column(CREDITS)
    unit_cost: Mapped[int]
    state: Mapped[UsageState] = mapped_column(stored_as_value(UsageState, 10))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("workspace_id", "idempotency_key"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("credits >= 0", name="credits_not_negative"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
        CheckConstraint("state IN ('reserved', 'captured', 'released')", name="state_known"),
        Index("ix_usage_logs_workspace_created", "workspace_id", "created_at"),
        Index(
            "ix_usage_logs_open_reservations",
            "created_at",
            postgresql_where=text("state = 'reserved'"),
            sqlite_where=text("state = 'reserved'"),
        ),
    )


class LedgerEntry(Base):
    """A line of a pool's statement: how much moved, how ``available`` changed and what it became.

    Entries are numbered in the order their pool changed, so a pool's entries add up to its balance.
    """

    __tablename__ = "credit_ledger"

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    pool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspace_credits.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    credits: Mapped[int] = mapped_column(CREDITS)
    change: Mapped[int] = mapped_column(CREDITS)
    balance: Mapped[int] = mapped_column(CREDITS)
    note: Mapped[str] = mapped_column(String(200), default="")
    usage_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("usage_logs.id", ondelete="RESTRICT"), index=True
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("pool_id", "idempotency_key"),
        Index("ix_credit_ledger_pool", "pool_id", "id"),
        CheckConstraint("credits >= 0", name="credits_not_negative"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        CheckConstraint(
            "kind IN ('grant', 'purchase', 'reservation', 'charge', 'capture', 'release', 'expiry')",
            name="kind_known",
        ),
    )


class TierChange(IdMixin, Base):
    """A move of a workspace to another tier: applied at once (upgrade) or pending until period end."""

    __tablename__ = "tier_changes"

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    from_tier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pricing_tiers.id", ondelete="RESTRICT"))
    to_tier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pricing_tiers.id", ondelete="RESTRICT"))
    direction: Mapped[str] = mapped_column(String(10))
    status: Mapped[TierChangeStatus] = mapped_column(stored_as_value(TierChangeStatus, 10))
    requested_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    effective_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_tier_changes_workspace", "workspace_id", "created_at"),
        Index(
            "uq_tier_changes_one_pending",
            "workspace_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        CheckConstraint("direction IN ('upgrade', 'downgrade')", name="direction_known"),
        CheckConstraint("status IN ('pending', 'applied', 'cancelled')", name="status_known"),
    )
