"""CRM outcomes of each contact (SQL, opportunity, customer, won, lost) with their dates.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "syncd_outcome",
        sa.Column("connector", sa.String(length=64), primary_key=True),
        sa.Column("contact_id", sa.String(length=64), primary_key=True),
        sa.Column("key", sa.String(length=200), primary_key=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
    )
    op.create_index("ix_syncd_outcome_kind", "syncd_outcome", ["connector", "kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_syncd_outcome_kind", table_name="syncd_outcome")
    op.drop_table("syncd_outcome")
