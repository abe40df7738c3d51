"""credit pools, usage logs, the pools' ledger and tier changes

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_credits",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("feature_id", sa.Uuid(), nullable=False),
        sa.Column("granted", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("purchased", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("used", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reserved", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("used_from_grant", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'frozen', 'closed')", name=op.f("ck_workspace_credits_status_known")
        ),
        sa.CheckConstraint(
            "granted + purchased - used - reserved >= 0",
            name=op.f("ck_workspace_credits_available_not_negative"),
        ),
        sa.CheckConstraint("granted >= 0", name=op.f("ck_workspace_credits_granted_not_negative")),
        sa.CheckConstraint("purchased >= 0", name=op.f("ck_workspace_credits_purchased_not_negative")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_workspace_credits_reserved_not_negative")),
        sa.CheckConstraint(
            "used - used_from_grant <= purchased",
            name=op.f("ck_workspace_credits_purchase_use_within_purchases"),
        ),
        sa.CheckConstraint("used >= 0", name=op.f("ck_workspace_credits_used_not_negative")),
        sa.CheckConstraint(
            "used_from_grant >= 0 AND used_from_grant <= used AND used_from_grant <= granted",
            name=op.f("ck_workspace_credits_grant_use_within_grant"),
        ),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["feature_definitions.id"],
            name=op.f("fk_workspace_credits_feature_id_feature_definitions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_workspace_credits_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace_credits")),
        sa.UniqueConstraint(
            "workspace_id", "feature_id", name=op.f("uq_workspace_credits_workspace_id_feature_id")
        ),
    )
    with op.batch_alter_table("workspace_credits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workspace_credits_feature_id"), ["feature_id"], unique=False)

    op.create_table(
        "usage_logs",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("feature_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("credits", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit_cost", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "state IN ('reserved', 'captured', 'released')", name=op.f("ck_usage_logs_state_known")
        ),
        sa.CheckConstraint("credits >= 0", name=op.f("ck_usage_logs_credits_not_negative")),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_usage_logs_quantity_not_negative")),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_usage_logs_unit_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["feature_definitions.id"],
            name=op.f("fk_usage_logs_feature_id_feature_definitions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["workspace_projects.id"],
            name=op.f("fk_usage_logs_project_id_workspace_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_usage_logs_user_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_usage_logs_workspace_id_workspaces"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_logs")),
        sa.UniqueConstraint(
            "workspace_id", "idempotency_key", name=op.f("uq_usage_logs_workspace_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("usage_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_usage_logs_feature_id"), ["feature_id"], unique=False)
        batch_op.create_index(
            "ix_usage_logs_open_reservations",
            ["created_at"],
            unique=False,
            postgresql_where=sa.text("state = 'reserved'"),
            sqlite_where=sa.text("state = 'reserved'"),
        )
        batch_op.create_index(batch_op.f("ix_usage_logs_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_usage_logs_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_usage_logs_workspace_created", ["workspace_id", "created_at"], unique=False)

    op.create_table(
        "credit_ledger",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("pool_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("credits", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("change", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("balance", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("usage_id", sa.Uuid(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('grant', 'purchase', 'reservation', 'charge', 'capture', 'release', 'expiry')",
            name=op.f("ck_credit_ledger_kind_known"),
        ),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_credit_ledger_balance_not_negative")),
        sa.CheckConstraint("credits >= 0", name=op.f("ck_credit_ledger_credits_not_negative")),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["workspace_credits.id"],
            name=op.f("fk_credit_ledger_pool_id_workspace_credits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["usage_id"],
            ["usage_logs.id"],
            name=op.f("fk_credit_ledger_usage_id_usage_logs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_ledger")),
        sa.UniqueConstraint(
            "pool_id", "idempotency_key", name=op.f("uq_credit_ledger_pool_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("credit_ledger", schema=None) as batch_op:
        batch_op.create_index("ix_credit_ledger_pool", ["pool_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_ledger_usage_id"), ["usage_id"], unique=False)

    op.create_table(
        "tier_changes",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("from_tier_id", sa.Uuid(), nullable=False),
        sa.Column("to_tier_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "direction IN ('upgrade', 'downgrade')", name=op.f("ck_tier_changes_direction_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'applied', 'cancelled')", name=op.f("ck_tier_changes_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["from_tier_id"],
            ["pricing_tiers.id"],
            name=op.f("fk_tier_changes_from_tier_id_pricing_tiers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_tier_changes_requested_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_tier_id"],
            ["pricing_tiers.id"],
            name=op.f("fk_tier_changes_to_tier_id_pricing_tiers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_tier_changes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_changes")),
    )
    with op.batch_alter_table("tier_changes", schema=None) as batch_op:
        batch_op.create_index("ix_tier_changes_workspace", ["workspace_id", "created_at"], unique=False)
        batch_op.create_index(
            "uq_tier_changes_one_pending",
            ["workspace_id"],
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("tier_changes", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tier_changes_one_pending",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index("ix_tier_changes_workspace")

    op.drop_table("tier_changes")

    with op.batch_alter_table("credit_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_ledger_usage_id"))
        batch_op.drop_index("ix_credit_ledger_pool")

    op.drop_table("credit_ledger")

    with op.batch_alter_table("usage_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_logs_workspace_created")
        batch_op.drop_index(batch_op.f("ix_usage_logs_user_id"))
        batch_op.drop_index(batch_op.f("ix_usage_logs_project_id"))
        batch_op.drop_index(
            "ix_usage_logs_open_reservations",
            postgresql_where=sa.text("state = 'reserved'"),
            sqlite_where=sa.text("state = 'reserved'"),
        )
        batch_op.drop_index(batch_op.f("ix_usage_logs_feature_id"))

    op.drop_table("usage_logs")

    with op.batch_alter_table("workspace_credits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workspace_credits_feature_id"))

    op.drop_table("workspace_credits")
