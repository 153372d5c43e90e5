"""Privacy: the audit of erased persons (no personal data: a salted hash of the
id) and the salt of that hash.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "syncd_privacy_salt",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
    )
    op.create_table(
        "syncd_forget_audit",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("erased", sa.Text(), nullable=False),
        sa.Column("crm_cleared", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_syncd_forget_subject", "syncd_forget_audit", ["connector", "subject"])


def downgrade() -> None:
    op.drop_index("ix_syncd_forget_subject", table_name="syncd_forget_audit")
    op.drop_table("syncd_forget_audit")
    op.drop_table("syncd_privacy_salt")
