"""The CRM's modification stamp of each contact as last read (index-lag-safe drift repair).

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("syncd_contact") as batch:
        batch.add_column(sa.Column("crm_modified_at", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("syncd_contact") as batch:
        batch.drop_column("crm_modified_at")
