"""seed the pricing catalog from the packaged catalog file

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from visionscope.features.billing.catalog import read_catalog

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM pricing_tiers")).scalar():
        return
    catalog = read_catalog()
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)

    def stamps() -> tuple[sa.ColumnClause[datetime], ...]:
        return (
            sa.column("created_at", sa.DateTime(timezone=True)),
            sa.column("updated_at", sa.DateTime(timezone=True)),
        )

    tiers = sa.table(
        "pricing_tiers",
        sa.column("id", sa.Uuid()),
        sa.column("key"),
        sa.column("name"),
        sa.column("monthly_price_cents"),
        sa.column("is_active"),
        sa.column("rollover"),
        *stamps(),
    )
    features = sa.table(
        "feature_definitions",
        sa.column("id", sa.Uuid()),
        sa.column("key"),
        sa.column("name"),
        sa.column("group"),
        sa.column("unit"),
        sa.column("credits_per_unit"),
        sa.column("is_active"),
        *stamps(),
    )
    offers = sa.table(
        "tier_features",
        sa.column("id", sa.Uuid()),
        sa.column("tier_id", sa.Uuid()),
        sa.column("feature_id", sa.Uuid()),
        sa.column("enabled"),
        sa.column("monthly_credits"),
        sa.column("limits", sa.JSON()),
        *stamps(),
    )
    feature_ids = {f.key: uuid.uuid4() for f in catalog.features}
    bind.execute(
        features.insert(),
        [
            {
                "id": feature_ids[f.key],
                "key": f.key,
                "name": f.name,
                "group": f.group,
                "unit": f.unit,
                "credits_per_unit": f.credits_per_unit,
                "is_active": f.is_active,
                "created_at": now,
                "updated_at": now,
            }
            for f in catalog.features
        ],
    )
    for tier in catalog.tiers:
        tier_id = uuid.uuid4()
        bind.execute(
            tiers.insert(),
            [
                {
                    "id": tier_id,
                    "key": tier.key,
                    "name": tier.name,
                    "monthly_price_cents": tier.monthly_price_cents,
                    "is_active": tier.is_active,
                    "rollover": tier.rollover,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        bind.execute(
            offers.insert(),
            [
                {
                    "id": uuid.uuid4(),
                    "tier_id": tier_id,
                    "feature_id": feature_ids[key],
                    "enabled": spec.enabled,
                    "monthly_credits": spec.monthly_credits,
                    "limits": spec.limits,
                    "created_at": now,
                    "updated_at": now,
                }
                for key, spec in tier.features.items()
            ],
        )


def downgrade() -> None:
    op.execute("DELETE FROM tier_features")
    op.execute("DELETE FROM feature_definitions")
    op.execute("DELETE FROM pricing_tiers")
