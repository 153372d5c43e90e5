"""The state store's tables (SQLAlchemy Core). Migrations in ``migrations/``
create exactly these; ``tests/state`` checks the two agree.

Every row belongs to one connector (``connector`` column). Canonical JSON is
stored as compact, key-sorted text so equal data compares equal as text.
Times are stored as UTC ISO-8601 text (``UTCDateTime``), which sorts correctly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = [
    "UTCDateTime",
    "accounts",
    "activities",
    "contacts",
    "forget_audit",
    "locks",
    "meta",
    "metadata",
    "outcomes",
    "privacy_salt",
    "runs",
    "score_history",
    "shadow_scores",
]


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` text."""

    impl = sa.String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)


metadata = sa.MetaData()

meta = sa.Table(
    "syncd_connector",
    metadata,
    sa.Column("connector", sa.String(64), primary_key=True),
    sa.Column("cursor", sa.Text),
    sa.Column("model_ref", sa.String(200)),
    sa.Column("last_rescore_at", UTCDateTime),
    sa.Column("updated_at", UTCDateTime),
    # the predictive model (connector option ``predictive``) of the last full rescore
    sa.Column("predictive_ref", sa.String(200)),
    # when that model was last retrained (connector option ``predictive.retrain``)
    sa.Column("retrained_at", UTCDateTime),
    # that retraining's verdict, JSON text (``Meta.retrain``)
    sa.Column("retrain", sa.Text),
)

accounts = sa.Table(
    "syncd_account",
    metadata,
    sa.Column("connector", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("domain_key", sa.String(300)),
    sa.Column("name_key", sa.String(300)),
    # syncd's account fields: as read from the CRM, computed now, last written
    sa.Column("crm_score", sa.Integer),
    sa.Column("score", sa.Integer),
    sa.Column("summary", sa.Text),
    sa.Column("priority", sa.Boolean),
    sa.Column("w_score", sa.Integer),
    sa.Column("w_summary", sa.Text),
    sa.Column("w_priority", sa.Boolean),
    # write ledger
    sa.Column("pending", sa.Boolean, nullable=False, default=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text),
    sa.Column("dead", sa.Boolean, nullable=False, default=False),
    sa.Column("attempt_run", sa.String(40)),
    # the CRM's value of syncd's score field changed since the last verdict
    sa.Column("recheck", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Index("ix_syncd_account_domain", "connector", "domain_key"),
    sa.Index("ix_syncd_account_pending", "connector", "pending"),
    sa.Index("ix_syncd_account_recheck", "connector", "recheck"),
    sa.Index("ix_syncd_account_name", "connector", "name_key"),
)

contacts = sa.Table(
    "syncd_contact",
    metadata,
    sa.Column("connector", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    # the stored form (syncd.core.stored) of the contact's own fields and of its
    # activities (newest first): a rescore rebuilds the contact from these alone
    sa.Column("form", sa.Text),
    sa.Column("acts", sa.Text),
    # the contact's scoring evidence (syncd.core.evidence text) and the ref it was
    # matched under; derived from form, acts and the account: every write of form
    # or acts clears both, and a dirty contact's evidence is never read
    sa.Column("evidence_ref", sa.String(200)),
    sa.Column("evidence", sa.Text),
    sa.Column("account_id", sa.String(64)),
    sa.Column("resolved_account_id", sa.String(64)),
    sa.Column("email_key", sa.String(300)),
    sa.Column("company_key", sa.String(300)),
    sa.Column("account_key", sa.String(300)),
    sa.Column("writable", sa.Boolean, nullable=False, default=True),
    sa.Column("dirty", sa.Boolean, nullable=False, default=True),
    # only the CRM's values of syncd's fields changed: re-diff, no rescore
    sa.Column("recheck", sa.Boolean, nullable=False, default=False),
    # syncd's fields as last read from the CRM (crm_read: they were read)
    sa.Column("crm_read", sa.Boolean, nullable=False, default=False),
    sa.Column("crm_score", sa.Integer),
    sa.Column("crm_tier", sa.String(64)),
    sa.Column("crm_reasons", sa.Text),
    sa.Column("crm_priority", sa.Boolean),
    sa.Column("crm_probability", sa.Float),
    # the CRM's modification stamp of the record as last read (None: not given)
    sa.Column("crm_modified_at", UTCDateTime),
    # what the core computes now (desired)
    sa.Column("score", sa.Integer),
    sa.Column("tier", sa.String(64)),
    sa.Column("reasons", sa.Text),
    sa.Column("priority", sa.Boolean),
    sa.Column("probability", sa.Float),
    sa.Column("mql", sa.Boolean),
    sa.Column("model_ref", sa.String(200)),
    sa.Column("scored_at", UTCDateTime),
    sa.Column("mql_at", UTCDateTime),
    # last written values
    sa.Column("w_score", sa.Integer),
    sa.Column("w_tier", sa.String(64)),
    sa.Column("w_reasons", sa.Text),
    sa.Column("w_priority", sa.Boolean),
    sa.Column("w_probability", sa.Float),
    sa.Column("written_at", UTCDateTime),
    # write ledger
    sa.Column("pending", sa.Boolean, nullable=False, default=False),
    sa.Column("drift", sa.Boolean, nullable=False, default=False),
    sa.Column("rank", sa.BigInteger, nullable=False, default=0),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text),
    sa.Column("dead", sa.Boolean, nullable=False, default=False),
    sa.Column("attempt_run", sa.String(40)),
    # the id last: flagged contacts are paged through by id (migration 0010)
    sa.Index("ix_syncd_contact_dirty", "connector", "dirty", "id"),
    sa.Index("ix_syncd_contact_recheck", "connector", "recheck", "id"),
    sa.Index("ix_syncd_contact_key", "connector", "account_key", "id"),
    sa.Index("ix_syncd_contact_account", "connector", "account_id"),
    sa.Index("ix_syncd_contact_resolved", "connector", "resolved_account_id"),
    sa.Index("ix_syncd_contact_email_key", "connector", "email_key"),
    sa.Index("ix_syncd_contact_company_key", "connector", "company_key"),
)
# The write queue reads pending contacts by (rank desc, id), a chunk at a time
# after the last one handed out: the index gives that order and the seek
# (migration 0012).
sa.Index(
    "ix_syncd_contact_pending",
    contacts.c.connector,
    contacts.c.pending,
    contacts.c.rank.desc(),
    contacts.c.id,
)

activities = sa.Table(
    "syncd_activity",
    metadata,
    sa.Column("connector", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("contact_id", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=True),  # the activity's type and time (epoch s),
    sa.Column("ts", sa.Float, nullable=True),  # from ``data``: retention reads them
    sa.Index("ix_syncd_activity_contact", "connector", "contact_id"),
)

score_history = sa.Table(
    "syncd_score_history",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("connector", sa.String(64), nullable=False),
    sa.Column("contact_id", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("tier", sa.String(64), nullable=False),
    sa.Column("model_ref", sa.String(200), nullable=False),
    sa.Column("run_id", sa.String(40), nullable=False),
    sa.Index("ix_syncd_history_contact", "connector", "contact_id"),
)

outcomes = sa.Table(
    "syncd_outcome",
    metadata,
    sa.Column("connector", sa.String(64), primary_key=True),
    sa.Column("contact_id", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("amount", sa.Float),
    sa.Column("detail", sa.String(200)),
    sa.Index("ix_syncd_outcome_kind", "connector", "kind", "at"),
)

#: The latest score of each contact by each model a connector compares (its
#: live model and its shadow models), with when the model first scored it and
#: first flagged it as an MQL; never written to a CRM.
shadow_scores = sa.Table(
    "syncd_shadow_score",
    metadata,
    sa.Column("connector", sa.String(64), primary_key=True),
    sa.Column("model_ref", sa.String(200), primary_key=True),
    sa.Column("contact_id", sa.String(64), primary_key=True),
    sa.Column("live", sa.Boolean, nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("tier", sa.String(64), nullable=False),
    sa.Column("first_at", UTCDateTime, nullable=False),
    sa.Column("scored_at", UTCDateTime, nullable=False),
    sa.Column("mql_at", UTCDateTime),
)

runs = sa.Table(
    "syncd_run",
    metadata,
    sa.Column("run_id", sa.String(40), primary_key=True),
    sa.Column("connector", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("report", sa.Text),
    sa.Column("error", sa.Text),
    sa.Index("ix_syncd_run_connector", "connector", "started_at"),
)

locks = sa.Table(
    "syncd_lock",
    metadata,
    sa.Column("connector", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(100), nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    # the fencing token: +1 for every new holder, never reset (rows are never deleted)
    sa.Column("generation", sa.BigInteger, nullable=False, server_default="0"),
)

#: The salt of the hash that names an erased person in ``forget_audit`` (one row).
privacy_salt = sa.Table(
    "syncd_privacy_salt",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("salt", sa.String(64), nullable=False),
)

#: One row per ``syncd forget``: who was erased (salted hash of the record id,
#: never personal data), when, on whose request, how many rows of each kind.
forget_audit = sa.Table(
    "syncd_forget_audit",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("connector", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("requested_by", sa.String(200), nullable=False),
    sa.Column("erased", sa.Text, nullable=False),
    sa.Column("crm_cleared", sa.Boolean, nullable=False),
    sa.Index("ix_syncd_forget_subject", "connector", "subject"),
)
