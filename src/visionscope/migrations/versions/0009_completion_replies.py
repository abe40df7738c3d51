"""chat completion replies: the response a keyed chat completion gave, for its replays

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_completion_replies",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("credit_key", sa.String(length=200), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_chat_completion_replies_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_completion_replies")),
        sa.UniqueConstraint(
            "workspace_id", "credit_key", name=op.f("uq_chat_completion_replies_workspace_id_credit_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("chat_completion_replies")
