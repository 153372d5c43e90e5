"""Initial state schema: connectors, accounts, contacts (with written values and
the write ledger), activities, score history, runs, locks.

Revision ID: 0001
"""

from __future__ import annotations

from alembic import op

from syncd.state.schema import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
