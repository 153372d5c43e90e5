"""Initial state schema: connectors, accounts, contacts (with written values and
the write ledger), activities, score history, runs, locks.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "syncd_account",
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("domain_key", sa.String(length=300), nullable=True),
        sa.Column("name_key", sa.String(length=300), nullable=True),
        sa.Column("crm_score", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("priority", sa.Boolean(), nullable=True),
        sa.Column("w_score", sa.Integer(), nullable=True),
        sa.Column("w_summary", sa.Text(), nullable=True),
        sa.Column("w_priority", sa.Boolean(), nullable=True),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dead", sa.Boolean(), nullable=False),
        sa.Column("attempt_run", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("connector", "id"),
    )
    op.create_index(
        "ix_syncd_account_domain", "syncd_account", ["connector", "domain_key"], unique=False
    )
    op.create_index(
        "ix_syncd_account_name", "syncd_account", ["connector", "name_key"], unique=False
    )
    op.create_index(
        "ix_syncd_account_pending", "syncd_account", ["connector", "pending"], unique=False
    )
    op.create_table(
        "syncd_activity",
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("connector", "key", "contact_id"),
    )
    op.create_index(
        "ix_syncd_activity_contact", "syncd_activity", ["connector", "contact_id"], unique=False
    )
    op.create_table(
        "syncd_connector",
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("model_ref", sa.String(length=200), nullable=True),
        sa.Column("last_rescore_at", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("connector"),
    )
    op.create_table(
        "syncd_contact",
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("resolved_account_id", sa.String(length=64), nullable=True),
        sa.Column("email_key", sa.String(length=300), nullable=True),
        sa.Column("company_key", sa.String(length=300), nullable=True),
        sa.Column("account_key", sa.String(length=300), nullable=True),
        sa.Column("writable", sa.Boolean(), nullable=False),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.Column("recheck", sa.Boolean(), nullable=False),
        sa.Column("crm_read", sa.Boolean(), nullable=False),
        sa.Column("crm_score", sa.Integer(), nullable=True),
        sa.Column("crm_tier", sa.String(length=64), nullable=True),
        sa.Column("crm_reasons", sa.Text(), nullable=True),
        sa.Column("crm_priority", sa.Boolean(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("tier", sa.String(length=64), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("priority", sa.Boolean(), nullable=True),
        sa.Column("mql", sa.Boolean(), nullable=True),
        sa.Column("model_ref", sa.String(length=200), nullable=True),
        sa.Column("scored_at", sa.String(length=32), nullable=True),
        sa.Column("mql_at", sa.String(length=32), nullable=True),
        sa.Column("w_score", sa.Integer(), nullable=True),
        sa.Column("w_tier", sa.String(length=64), nullable=True),
        sa.Column("w_reasons", sa.Text(), nullable=True),
        sa.Column("w_priority", sa.Boolean(), nullable=True),
        sa.Column("written_at", sa.String(length=32), nullable=True),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("drift", sa.Boolean(), nullable=False),
        sa.Column("rank", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dead", sa.Boolean(), nullable=False),
        sa.Column("attempt_run", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("connector", "id"),
    )
    op.create_index(
        "ix_syncd_contact_account", "syncd_contact", ["connector", "account_id"], unique=False
    )
    op.create_index(
        "ix_syncd_contact_company_key", "syncd_contact", ["connector", "company_key"], unique=False
    )
    op.create_index("ix_syncd_contact_dirty", "syncd_contact", ["connector", "dirty"], unique=False)
    op.create_index(
        "ix_syncd_contact_recheck", "syncd_contact", ["connector", "recheck"], unique=False
    )
    op.create_index(
        "ix_syncd_contact_email_key", "syncd_contact", ["connector", "email_key"], unique=False
    )
    op.create_index(
        "ix_syncd_contact_key", "syncd_contact", ["connector", "account_key"], unique=False
    )
    op.create_index(
        "ix_syncd_contact_pending", "syncd_contact", ["connector", "pending", "rank"], unique=False
    )
    op.create_index(
        "ix_syncd_contact_resolved",
        "syncd_contact",
        ["connector", "resolved_account_id"],
        unique=False,
    )
    op.create_table(
        "syncd_lock",
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("connector"),
    )
    op.create_table(
        "syncd_run",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_index(
        "ix_syncd_run_connector", "syncd_run", ["connector", "started_at"], unique=False
    )
    op.create_table(
        "syncd_score_history",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("model_ref", sa.String(length=200), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        "ix_syncd_history_contact", "syncd_score_history", ["connector", "contact_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_syncd_history_contact", table_name="syncd_score_history")
    op.drop_table("syncd_score_history")
    op.drop_index("ix_syncd_run_connector", table_name="syncd_run")
    op.drop_table("syncd_run")
    op.drop_table("syncd_lock")
    op.drop_index("ix_syncd_contact_resolved", table_name="syncd_contact")
    op.drop_index("ix_syncd_contact_pending", table_name="syncd_contact")
    op.drop_index("ix_syncd_contact_key", table_name="syncd_contact")
    op.drop_index("ix_syncd_contact_email_key", table_name="syncd_contact")
    op.drop_index("ix_syncd_contact_recheck", table_name="syncd_contact")
    op.drop_index("ix_syncd_contact_dirty", table_name="syncd_contact")
    op.drop_index("ix_syncd_contact_company_key", table_name="syncd_contact")
    op.drop_index("ix_syncd_contact_account", table_name="syncd_contact")
    op.drop_table("syncd_contact")
    op.drop_table("syncd_connector")
    op.drop_index("ix_syncd_activity_contact", table_name="syncd_activity")
    op.drop_table("syncd_activity")
    op.drop_index("ix_syncd_account_pending", table_name="syncd_account")
    op.drop_index("ix_syncd_account_name", table_name="syncd_account")
    op.drop_index("ix_syncd_account_domain", table_name="syncd_account")
    op.drop_table("syncd_account")
