"""Plain records the state store hands to the sync engine (no SQL types leak)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.base import SkippedRecord, WrittenValues

__all__ = ["Meta", "PageStats", "PendingWrite", "Scored", "StoredContact", "Values", "canonical"]

Values = WrittenValues


def canonical(data: Any) -> str:
    """Compact, key-sorted JSON text: equal data gives equal text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Meta:
    """Per-connector bookkeeping."""

    cursor: dict[str, Any] | None
    model_ref: str | None
    last_rescore_at: datetime | None


@dataclass(slots=True)
class PageStats:
    """What committing one page changed."""

    contacts: int = 0
    changed_contacts: int = 0
    accounts: int = 0
    activities: int = 0
    new_activities: int = 0
    deleted: int = 0
    merged: int = 0
    skipped: int = 0
    #: What was skipped and why (the connector's and the store's), for the log.
    skipped_records: list[SkippedRecord] = field(default_factory=list)

    def skip(self, record: SkippedRecord) -> None:
        self.skipped += 1
        self.skipped_records.append(record)


@dataclass(frozen=True, slots=True)
class StoredContact:
    """One contact as stored: its canonical JSON (with account and activities
    assembled, exactly what ``syncd score`` reads) and its sync state."""

    id: str
    kind: str
    writable: bool
    json: dict[str, Any]
    account_key: str | None
    crm: Values | None
    desired: Values | None
    desired_mql: bool
    written: Values | None
    mql_at: datetime | None
    dead: bool
    attempts: int
    #: When the current ``desired`` values were computed (the ``as_of`` used).
    scored_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Scored:
    """The engine's verdict for one contact after scoring."""

    id: str
    values: Values
    mql: bool
    model_ref: str
    mql_at: datetime | None
    pending: bool
    drift: bool
    rank: int
    #: True when score or tier moved (a score-history row is added).
    history: bool
    #: True when the desired values changed: the ledger starts afresh.
    reset_ledger: bool


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """One contact whose CRM fields must be (re)written."""

    id: str
    kind: str
    values: Values
    mql_at: datetime | None
    drift: bool
    attempts: int
