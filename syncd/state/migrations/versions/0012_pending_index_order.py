"""The contacts' ``pending`` index is ordered as the write queue reads it:
(connector, pending, rank desc, id). Each chunk of the queue then seeks to
the last (rank, id) handed out and reads on in index order; with (connector,
pending, rank) every chunk sorted and skipped the pending rows before it.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TABLE = "syncd_contact"
_NAME = "ix_syncd_contact_pending"


def upgrade() -> None:
    op.drop_index(_NAME, table_name=_TABLE)
    op.create_index(_NAME, _TABLE, ["connector", "pending", sa.text("rank DESC"), "id"])


def downgrade() -> None:
    op.drop_index(_NAME, table_name=_TABLE)
    op.create_index(_NAME, _TABLE, ["connector", "pending", "rank"])
