"""analytics figures: credits consumed per hour, videos processed, analysis seconds per stage

Revision ID: 0007
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0002"
branch_labels = ("analytics",)
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "credit_consumption",
        _id(),
        sa.Column("workspace", sa.String(length=36), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("feature", sa.String(length=60), nullable=False),
        sa.Column("credits", sa.BigInteger(), nullable=False),
        sa.Column("value_cents", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_consumption")),
        sa.UniqueConstraint(
            "workspace", "hour", "feature", name=op.f("uq_credit_consumption_workspace_hour_feature")
        ),
    )
    op.create_table(
        "videos_processed",
        _id(),
        sa.Column("workspace", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("videos", sa.Integer(), nullable=False),
        sa.Column("video_seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_videos_processed")),
        sa.UniqueConstraint(
            "workspace", "day", "outcome", name=op.f("uq_videos_processed_workspace_day_outcome")
        ),
    )
    op.create_table(
        "analysis_seconds",
        _id(),
        sa.Column("workspace", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("le", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_seconds")),
        sa.UniqueConstraint("workspace", "stage", "le", name=op.f("uq_analysis_seconds_workspace_stage_le")),
    )


def downgrade() -> None:
    op.drop_table("analysis_seconds")
    op.drop_table("videos_processed")
    op.drop_table("credit_consumption")
