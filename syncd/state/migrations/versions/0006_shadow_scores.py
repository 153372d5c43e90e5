"""Scores of each connector's live and shadow models, for comparing them on outcomes.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "syncd_shadow_score",
        sa.Column("connector", sa.String(length=64), primary_key=True),
        sa.Column("model_ref", sa.String(length=200), primary_key=True),
        sa.Column("contact_id", sa.String(length=64), primary_key=True),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("first_at", sa.String(length=32), nullable=False),
        sa.Column("scored_at", sa.String(length=32), nullable=False),
        sa.Column("mql_at", sa.String(length=32), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("syncd_shadow_score")
