"""Each contact's scoring evidence (``syncd.core.evidence``) beside its stored
form: ``evidence`` (the evidence's text) and ``evidence_ref`` (the model and
evidence layout it was matched with). A rescore that only moves the clock
evaluates it instead of rebuilding the contact. Both start empty: the next
rescore of each contact stores them.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TABLE = "syncd_contact"


def upgrade() -> None:
    with op.batch_alter_table(_TABLE) as batch:
        batch.add_column(sa.Column("evidence_ref", sa.String(200), nullable=True))
        batch.add_column(sa.Column("evidence", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_column("evidence")
        batch.drop_column("evidence_ref")
