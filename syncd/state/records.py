"""Plain records the state store hands to the sync engine (no SQL types leak)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.base import SkippedRecord, WrittenValues

__all__ = [
    "AccountState",
    "AccountValues",
    "AccountVerdict",
    "ContactState",
    "CrmValues",
    "Desired",
    "Meta",
    "PageStats",
    "PendingWrite",
    "Recheck",
    "Scored",
    "ScoringRow",
    "StoredContact",
    "canonical",
]

#: syncd's contact fields as read from the CRM: any of them may be empty.
CrmValues = WrittenValues


@dataclass(frozen=True, slots=True)
class Desired:
    """The values syncd wants in a contact's CRM fields (computed by the core,
    or last written): always complete."""

    score: int
    tier: str
    reasons: str
    priority: bool
    #: The predicted conversion probability (0–1, 3 decimals); None without a
    #: predictive model (the field is then neither compared nor written).
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class AccountValues:
    """The values syncd wants in (or last wrote to) an account's CRM fields."""

    score: int
    summary: str
    priority: bool


def canonical(data: Any) -> str:
    """Compact, key-sorted JSON text: equal data gives equal text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Meta:
    """Per-connector bookkeeping."""

    cursor: dict[str, Any] | None
    model_ref: str | None
    last_rescore_at: datetime | None
    #: The predictive model every contact was last scored with (None: none).
    predictive_ref: str | None = None
    #: When the predictive model was last retrained (or retraining was tried).
    retrained_at: datetime | None = None
    #: That retraining's verdict: ``{"verdict": "retrained" | "kept" | "skipped",
    #: "at": ISO time, "new_auc", "old_auc": float | None, "reason": str}`` (None: never).
    retrain: dict[str, Any] | None = None


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
    #: CRM outcomes new or changed in this page
    new_outcomes: int = 0
    skipped: int = 0
    #: What was skipped and why (the connector's and the store's), for the log.
    skipped_records: list[SkippedRecord] = field(default_factory=list)

    def skip(self, record: SkippedRecord) -> None:
        self.skipped += 1
        self.skipped_records.append(record)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactState:
    """One stored contact's write-back state."""

    id: str
    kind: str
    writable: bool
    account_key: str | None
    crm: CrmValues | None
    desired: Desired | None
    desired_mql: bool
    written: Desired | None
    mql_at: datetime | None
    dead: bool
    attempts: int
    #: When the current ``desired`` values were computed (the ``as_of`` used).
    scored_at: datetime | None = None
    #: The score-history model ref and the rank stored with ``desired``.
    model_ref: str | None = None
    pending: bool = False
    drift: bool = False
    rank: int = 0
    #: When the CRM acknowledged syncd's last write of ``written``.
    written_at: datetime | None = None
    #: The CRM's modification stamp of the record when ``crm`` was read.
    crm_modified_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredContact(ContactState):
    """One contact as stored: its canonical JSON (with account and activities
    assembled, exactly what ``syncd score`` reads) and its sync state."""

    json: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringRow(ContactState):
    """One contact read for scoring: its state and the core's contact rebuilt
    from the stored form (``error`` instead when it cannot be built), or its
    stored scoring ``evidence`` (``syncd.core.evidence.Evidence``, then no
    contact: see ``contacts.all_groups``), and its ``dirty`` and ``recheck``
    flags as read."""

    contact: Any = None
    error: str | None = None
    evidence: Any = None
    dirty: bool = False
    recheck: bool = False


@dataclass(frozen=True, slots=True)
class AccountState:
    """One stored account's write-back state: syncd's score field as read
    from the CRM, the values computed last and the values last written."""

    id: str
    crm_score: int | None
    desired: AccountValues | None
    written: AccountValues | None
    pending: bool


@dataclass(frozen=True, slots=True)
class Scored:
    """The engine's verdict for one contact after scoring."""

    id: str
    values: Desired
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
    #: False when nothing stored changes (the row is not rewritten).
    persist: bool = True
    #: As ``Recheck.waiting``: the row stays marked ``recheck``.
    waiting: bool = False


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """One contact whose CRM fields must be (re)written."""

    id: str
    kind: str
    values: Desired
    mql_at: datetime | None
    drift: bool
    attempts: int


@dataclass(frozen=True, slots=True)
class Recheck:
    """A contact re-diffed without rescoring."""

    id: str
    pending: bool
    drift: bool
    rank: int
    #: The CRM's copy was set aside as not yet showing syncd's recent write:
    #: the row stays marked ``recheck`` so a later cycle judges it again.
    waiting: bool = False


@dataclass(frozen=True, slots=True)
class AccountVerdict:
    """What to store for one account: its new values and pending flag, and
    whether its write ledger starts afresh (the values changed)."""

    id: str
    values: AccountValues
    pending: bool
    reset_ledger: bool
