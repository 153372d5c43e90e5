"""The connector contract (DESIGN.md §6): what the sync engine may ask of a CRM.

Everything here is CRM-neutral domain data: canonical JSON (DESIGN.md §2) and
small frozen dataclasses, never an SDK object. A connector keeps CRM shapes at
its edge (its ``mapping.py``); past ``changes()`` and ``write()`` nothing sees a
raw CRM record.

Life cycle, as the engine drives it::

    conn = build(config, ...)              # each connector package's factory
    conn.check()                           # -> list[CheckItem]
    conn.ensure_fields(create=False, tiers=model.tier_names)  # -> FieldsReport
    for page in conn.changes(cursor, until=run_start, full=False, since=None):
        ...store page.contacts / accounts / activities / deletions...
        ...commit, then store page.cursor...
        if conn.usage().stop: break        # budget guard
    outcomes = conn.write(updates)         # one WriteOutcome per update, same order
    conn.close()

Errors raised out of a connector are typed by what the caller should do:

* ``FatalError``: stop this connector's cycle and tell the operator
  (bad config, credentials revoked, a required field missing). Retrying the
  same cycle will fail the same way.
* ``RetriableError``: the CRM or the network failed and the connector's own
  retry policy gave up; the next cycle may succeed. Cursors of pages already
  yielded stay valid.
* ``SkippableRecordError``: one record cannot be used; the caller logs it
  (with ``record_id``) and carries on. Connectors usually report such records
  in ``Page.skipped`` instead of raising.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "AccountRecord",
    "AccountUpdate",
    "ActivityRecord",
    "CheckItem",
    "Connector",
    "ConnectorError",
    "ContactRecord",
    "ContactUpdate",
    "FatalError",
    "FieldSpec",
    "FieldsReport",
    "Page",
    "RetriableError",
    "SkippableRecordError",
    "SkippedRecord",
    "Usage",
    "WriteOutcome",
    "WrittenValues",
]

JSON = dict[str, Any]


# --------------------------------------------------------------------------- errors


class ConnectorError(Exception):
    """Base of every error a connector raises. ``str(err)`` is for humans and
    never contains a secret."""


class FatalError(ConnectorError):
    """Configuration, authentication or permission problem: retrying will not help."""


class RetriableError(ConnectorError):
    """A transient failure that outlived the retry policy; try again next cycle."""


class SkippableRecordError(ConnectorError):
    """One record cannot be read or written; the rest of the page or batch is fine."""

    def __init__(self, record_id: str, reason: str) -> None:
        super().__init__(f"{record_id}: {reason}")
        self.record_id = record_id
        self.reason = reason


# --------------------------------------------------------------------------- reads


@dataclass(frozen=True, slots=True)
class WrittenValues:
    """The values of syncd's own fields as read from (or written to) the CRM.

    ``None`` means the field is empty. Used for drift repair: the engine
    compares these with what it last wrote and with what it would write now.
    """

    score: int | None = None
    tier: str | None = None
    reasons: str | None = None
    priority: bool | None = None


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """One scorable person (HubSpot contact, Salesforce Lead or Contact).

    ``data`` is canonical contact JSON (DESIGN.md §2) *without* ``account`` and
    ``activities``: those travel as ``account_id`` and ``ActivityRecord``s so
    that the engine can store and update them independently. ``kind`` is the
    CRM object the record lives in (``"contact"``, ``"lead"`` …); the engine
    stores it and hands it back in ``ContactUpdate.kind``. ``crm_values`` are
    the current values of syncd's fields on the record (``None`` when the
    connector did not read them).
    """

    id: str
    kind: str
    data: JSON
    account_id: str | None = None
    crm_values: WrittenValues | None = None
    #: False when the record must not be written to (e.g. a converted lead).
    writable: bool = True


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One company/account: canonical account JSON (``id``, ``name``, ``domain``,
    ``properties``) and the account's own syncd fields as read from the CRM."""

    id: str
    data: JSON
    crm_score: int | None = None


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """One canonical activity (DESIGN.md §2: ``type``, ``at`` and attributes)
    for one contact. ``key`` is stable across re-reads (the CRM's id of the
    event, prefixed by its source) so re-reading a lookback window replaces
    instead of duplicating. An activity shared by several contacts (a meeting
    with three attendees) appears once per contact with the same ``key``."""

    key: str
    contact_id: str
    data: JSON


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A record the connector could not map; logged and counted, never fatal."""

    record_id: str
    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class Page:
    """One unit of pulled changes, committed atomically by the engine together
    with ``cursor``. Any field may be empty.

    ``deleted_contacts`` / ``deleted_accounts`` leave local state;
    ``merged`` maps a loser contact id to its survivor (the survivor keeps the
    loser's activities); ``cursor`` is opaque JSON to the engine, to be stored
    only once everything in this page (and every page before it) is committed,
    and handed back to the next ``changes()`` call.
    """

    contacts: Sequence[ContactRecord] = ()
    accounts: Sequence[AccountRecord] = ()
    activities: Sequence[ActivityRecord] = ()
    deleted_contacts: Sequence[str] = ()
    deleted_accounts: Sequence[str] = ()
    merged: Mapping[str, str] = field(default_factory=dict)
    skipped: Sequence[SkippedRecord] = ()
    cursor: JSON | None = None
    #: Progress hint for progress bars: records this pull expects in all
    #: (None when the CRM cannot tell cheaply).
    estimated_total: int | None = None


# --------------------------------------------------------------------------- writes


@dataclass(frozen=True, slots=True)
class ContactUpdate:
    """New values of syncd's fields for one contact. Every field is written;
    the engine sends an update only when something differs."""

    id: str
    kind: str
    score: int
    tier: str
    reasons: str
    priority: bool
    scored_at: datetime
    #: When the contact first reached an MQL-or-better tier (None: never).
    mql_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccountUpdate:
    """New values of syncd's fields for one account."""

    id: str
    score: int
    summary: str = ""
    priority: bool = False


Outcome = Literal["ok", "retriable", "rejected"]


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What happened to one update. ``retriable`` means try again next cycle
    (rate limit, lock, 5xx after retries); ``rejected`` means the CRM refused
    the values or the record (validation rule, deleted, converted lead)."""

    id: str
    status: Outcome
    reason: str = ""
    #: True when the failure was a rate limit / budget stop, which the engine
    #: does not count towards dead-lettering.
    rate_limited: bool = False
    #: True when retrying cannot help (a portal's validation rule refused the
    #: value): the engine dead-letters the write at once.
    final: bool = False


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True, slots=True)
class CheckItem:
    """One line of ``syncd check``: what was checked, whether it passed, the fix.

    ``warning`` marks an item that passes today but needs the operator's attention
    (a deprecated auth flow, an API version near its sunset): shown as ``warn``,
    it does not make ``syncd check`` fail."""

    name: str
    ok: bool
    detail: str = ""
    fix: str = ""
    warning: bool = False


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field syncd needs on one CRM object."""

    object: str
    name: str
    type: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class FieldsReport:
    """Result of ``ensure_fields``: fields that exist and are usable, fields
    created (or completed, e.g. choice values added) by this call, and fields
    still missing or unusable (each with its type)."""

    present: Sequence[FieldSpec] = ()
    created: Sequence[FieldSpec] = ()
    missing: Sequence[FieldSpec] = ()
    #: Human-readable instructions for the missing fields (one per line).
    advice: Sequence[str] = ()

    @property
    def ok(self) -> bool:
        return not self.missing


@dataclass(frozen=True, slots=True)
class Usage:
    """API usage since the connector was built.

    ``calls`` counts requests by kind (``"read"``, ``"search"``, ``"write"``,
    ``"auth"`` …, connector-defined). ``budget_remaining`` / ``budget_limit``
    are the CRM's daily allowance as last reported (or counted); ``calls_left``
    is how many more calls the budget guard allows before it wants the cycle to
    stop (``None``: unknown / unlimited); ``stop`` is True once it does.
    """

    calls: Mapping[str, int] = field(default_factory=dict)
    http_429: int = 0
    budget_remaining: int | None = None
    budget_limit: int | None = None
    calls_left: int | None = None
    stop: bool = False

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


# --------------------------------------------------------------------------- contract


class Connector(abc.ABC):
    """The contract. Implementations live in ``connectors/<crm>/connector.py``.

    ``name`` is the configured connector name (``hubspot-main``);
    ``write_batch_size`` is how many updates one write call carries, so the
    engine can turn a call budget into a number of writable records;
    ``auto_create_fields`` says whether a cycle may call
    ``ensure_fields(create=True)`` by itself (HubSpot: creating properties is
    routine) or must only verify and leave creation to ``syncd setup``
    (Salesforce: metadata changes need an admin's consent);
    ``mixed_writes`` says whether contact and account updates in one ``write``
    call share the CRM's batches (Salesforce sObject Collections), so the engine
    tops up the last contact batch with accounts; without it each type has its
    own batches (HubSpot) and the engine sends accounts in full batches of their own.
    """

    name: str
    write_batch_size: int
    auto_create_fields: bool = False
    mixed_writes: bool = False

    @abc.abstractmethod
    def check(self) -> list[CheckItem]:
        """Credentials, permissions and fields, one item each; never raises for
        a failed check (only for a bug)."""

    @abc.abstractmethod
    def ensure_fields(self, create: bool, tiers: Sequence[str] = ()) -> FieldsReport:
        """Verify syncd's fields exist and are usable; with ``create``, create
        what is missing (idempotent). Raises ``FatalError`` only when the CRM
        refuses to answer at all.

        ``tiers`` are the tier values the engine will write (the model's tier
        names and ``disqualified``): the tier field must accept each of them. A
        connector creates a choice-list tier field with these values, adds the
        missing ones to an existing field when ``create`` allows and the CRM
        permits it (reporting the field in ``created``), and otherwise reports
        the field as ``missing`` with advice naming the values to add. Empty:
        the shipped models' tiers are used for creation and values are not
        verified."""

    @abc.abstractmethod
    def changes(
        self,
        cursor: JSON | None,
        until: datetime,
        *,
        full: bool = False,
        since: datetime | None = None,
    ) -> Iterator[Page]:
        """Pages of records changed since ``cursor`` (everything when ``cursor``
        is None or ``full``), never past ``until`` (the run's start). The
        connector re-reads a lookback window of its own choosing; the engine
        de-duplicates by id/key. Stops early, with a consistent cursor, when
        the budget guard says so.

        With ``since`` (timezone-aware, before ``until``; not combined with
        ``full``), re-read every record modified at or after ``since`` whatever
        ``cursor``'s position, and return normal cursors: the last page's
        cursor is the one an ordinary pull ending at ``until`` would store, and
        a pull cut short resumes from its own position."""

    @abc.abstractmethod
    def write(
        self, updates: Sequence[ContactUpdate | AccountUpdate]
    ) -> list[WriteOutcome]:
        """Write the updates in batches the CRM allows; one outcome per update,
        in the same order. Never raises for a record-level failure."""

    @abc.abstractmethod
    def usage(self) -> Usage:
        """Calls so far, 429s and the budget guard's verdict."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release HTTP pools; the default does nothing."""
