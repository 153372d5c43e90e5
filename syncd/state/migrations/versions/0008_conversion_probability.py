"""The predicted conversion probability of each contact: as read from the CRM,
computed now and last written (only filled with a predictive model), and the
predictive model each connector last rescored every contact with (and when it
was last retrained, with that retraining's verdict as JSON text).

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_COLUMNS = ("crm_probability", "probability", "w_probability")


def upgrade() -> None:
    with op.batch_alter_table("syncd_contact") as batch:
        for name in _COLUMNS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))
    with op.batch_alter_table("syncd_connector") as batch:
        batch.add_column(sa.Column("predictive_ref", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("retrained_at", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("retrain", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("syncd_connector") as batch:
        batch.drop_column("retrain")
        batch.drop_column("retrained_at")
        batch.drop_column("predictive_ref")
    with op.batch_alter_table("syncd_contact") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
