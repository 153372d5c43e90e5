"""The contacts' ``dirty`` and ``recheck`` indexes end with the contact id, so
the reads that page through flagged contacts by id (account resolution, key
refresh, dirty groups, rechecks) find them through the index in id order;
without the id the planner walked every contact in id order to find the few
flagged ones.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TABLE = "syncd_contact"


def upgrade() -> None:
    for flag in ("dirty", "recheck"):
        name = f"ix_syncd_contact_{flag}"
        op.drop_index(name, table_name=_TABLE)
        op.create_index(name, _TABLE, ["connector", flag, "id"])


def downgrade() -> None:
    for flag in ("dirty", "recheck"):
        name = f"ix_syncd_contact_{flag}"
        op.drop_index(name, table_name=_TABLE)
        op.create_index(name, _TABLE, ["connector", flag])
