"""Durable state of syncd (docs/architecture.md, "One cycle"): cursors, the local copy of every
contact as canonical JSON with its accounts and activities, the values last
written, the write ledger, score and run history, and per-connector locks.

SQLAlchemy Core on SQLite (default, WAL) or PostgreSQL (psycopg 3); the schema
is migrated with Alembic whenever a store is opened.
"""

from syncd.state.account_ledger import PendingAccount
from syncd.state.lock import MIN_LEASE, Fence, LockBusy, LockLost
from syncd.state.records import (
    AccountState,
    AccountValues,
    AccountVerdict,
    ContactState,
    CrmValues,
    Desired,
    Meta,
    PageStats,
    PendingWrite,
    Recheck,
    Scored,
    ScoringRow,
    StoredContact,
    canonical,
)
from syncd.state.store import ConnectorCounts, HistoryRow, RunRow, Store

__all__ = [
    "MIN_LEASE",
    "AccountState",
    "AccountValues",
    "AccountVerdict",
    "ConnectorCounts",
    "ContactState",
    "CrmValues",
    "Desired",
    "Fence",
    "HistoryRow",
    "LockBusy",
    "LockLost",
    "Meta",
    "PageStats",
    "PendingAccount",
    "PendingWrite",
    "Recheck",
    "RunRow",
    "Scored",
    "ScoringRow",
    "Store",
    "StoredContact",
    "canonical",
]
