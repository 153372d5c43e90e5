"""The connector contract: what the sync engine may ask of a CRM (explained for
newcomers in docs/architecture.md, "The connector contract").

Everything here is CRM-neutral domain data: canonical JSON (docs/scoring.md, "Contacts") and
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
    # (BudgetExhausted out of changes(): the budget guard ended the pull after a page)
    for outcomes in conn.write(ordered_updates, before_batch=hook):
        ...record the outcomes of one CRM batch (they follow the updates' order)...
    conn.close()                           # when the engine closes: one connector per engine

Errors raised out of a connector are typed by what the caller should do:

* ``FatalError``: stop this connector's cycle and tell the operator
  (bad config, credentials revoked, a required field missing). Retrying the
  same cycle will fail the same way.
* ``RetriableError``: the CRM or the network failed and the connector's own
  retry policy gave up; the next cycle may succeed. Cursors of pages already
  yielded stay valid.
* ``RateLimited`` (a ``RetriableError``): the CRM kept refusing for rate reasons
  after the retry policy's waits; stop calling it this cycle.
* ``BudgetExhausted`` (a ``RetriableError``): the budget guard (this cycle's
  share of the daily allowance) says stop; what was read or written so far stands.
* ``FieldsGone`` (a ``FatalError``): a field syncd reads or writes vanished or was
  hidden from the API user; whoever kept a passed field check must check again.
* ``RequestRejected``: the CRM refused one request for a reason retrying cannot fix
  (a 4xx with a structured ``code``); connectors turn it into per-record outcomes.
* ``SkippableRecordError``: one record cannot be used; the caller logs it
  (with ``record_id``) and carries on. Connectors usually report such records
  in ``Page.skipped`` instead of raising.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "FIELD_MISSING",
    "AccountRecord",
    "AccountUpdate",
    "ActivityRecord",
    "BeforeBatch",
    "BudgetExhausted",
    "CheckItem",
    "Connector",
    "ConnectorError",
    "ContactRecord",
    "ContactUpdate",
    "FatalError",
    "FieldSpec",
    "FieldsGone",
    "FieldsReport",
    "OutcomeRecord",
    "Page",
    "RateLimited",
    "RequestRejected",
    "RetriableError",
    "SkippableRecordError",
    "SkippedRecord",
    "Update",
    "Usage",
    "WriteOutcome",
    "WrittenValues",
]

JSON = dict[str, Any]


# --------------------------------------------------------------------------- errors


class ConnectorError(Exception):
    """Base of every error a connector raises. ``str(err)`` is for humans and
    never contains a secret; ``code`` is the CRM's structured error code when it
    sent one (``INVALID_FIELD``, ``VALIDATION_ERROR`` ...), for decisions."""

    def __init__(self, message: str = "", *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class FatalError(ConnectorError):
    """Configuration, authentication or permission problem: retrying will not help."""


class FieldsGone(FatalError):
    """A field syncd reads or writes is gone or hidden from the API user: a field
    check that passed earlier no longer holds (check the fields again)."""


class RetriableError(ConnectorError):
    """A transient failure that outlived the retry policy; try again next cycle."""


class RateLimited(RetriableError):
    """The CRM kept answering "too many requests" through the retry policy's waits."""


class BudgetExhausted(RetriableError):
    """The budget guard says stop: this cycle's share of the API allowance is spent
    (or the CRM said the daily allowance is). Everything yielded so far stands."""


class RequestRejected(ConnectorError):
    """The CRM refused a request (a 4xx other than auth and rate limits) for a
    reason retrying cannot fix. ``status`` is the HTTP status, ``code`` the CRM's
    error category, ``body`` its parsed answer (for the connector's own parsing)."""

    def __init__(
        self, status: int, code: str, message: str, body: Any = None, *, crm: str = "the CRM"
    ) -> None:
        super().__init__(f"{crm} answered {status} {code}: {message}", code=code)
        self.status = status
        self.category = code
        self.message = message
        self.body = body


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
    #: The predicted conversion probability (0–1), when the CRM has the field.
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """One scorable person (HubSpot contact, Salesforce Lead or Contact).

    ``data`` is canonical contact JSON (docs/scoring.md, "Contacts") *without* ``account`` and
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
    #: The CRM's modification stamp of the record as read (``None`` when unknown):
    #: the engine tells a stale read of its own write from an edit made after it.
    modified_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One company/account: canonical account JSON (``id``, ``name``, ``domain``,
    ``properties``) and the account's own syncd fields as read from the CRM."""

    id: str
    data: JSON
    crm_score: int | None = None


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """One canonical activity (docs/scoring.md, "Contacts": ``type``, ``at`` and attributes)
    for one contact. ``key`` is stable across re-reads (the CRM's id of the
    event, prefixed by its source) so re-reading a lookback window replaces
    instead of duplicating. An activity shared by several contacts (a meeting
    with three attendees) appears once per contact with the same ``key``."""

    key: str
    contact_id: str
    data: JSON


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """One dated milestone the CRM reports for one contact (``syncd.core.outcomes``):
    ``kind`` is ``sql``, ``opportunity``, ``customer``, ``won`` or ``lost``; ``at``
    is timezone-aware. ``key`` is stable across re-reads (source, CRM id and
    kind, e.g. ``deal:123:won``): the engine upserts by (contact, key), so a
    re-read replaces. Outcomes leave local state with their contact and follow
    a merge to the survivor."""

    contact_id: str
    key: str
    kind: str
    at: datetime
    amount: float | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A record the connector could not map; logged and counted, never fatal.
    With ``kept``, only one value of the record was unusable: the record is in
    the page without it (``reason`` names the field)."""

    record_id: str
    kind: str
    reason: str
    kept: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """One unit of pulled changes, committed atomically by the engine together
    with ``cursor``. Any field may be empty.

    ``deleted_contacts`` / ``deleted_accounts`` leave local state;
    ``merged`` maps a loser contact id to its survivor (the survivor keeps the
    loser's activities and outcomes); ``outcomes`` are upserted by (contact,
    key); ``cursor`` is opaque JSON to the engine, to be stored
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
    outcomes: Sequence[OutcomeRecord] = ()
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
    #: Empty every one of syncd's fields instead (``syncd forget --clear-crm-fields``).
    clear: bool = False
    #: The predicted conversion probability (0–1); None: no predictive model,
    #: the probability field is not written.
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class AccountUpdate:
    """New values of syncd's fields for one account."""

    id: str
    score: int
    summary: str = ""
    priority: bool = False


Outcome = Literal["ok", "retriable", "rejected"]
Update = ContactUpdate | AccountUpdate
#: Called by a connector right before it sends each write batch to the CRM (the
#: engine's single place to stop or fence the writes); raising stops the writes.
BeforeBatch = Callable[[], None]
#: ``WriteOutcome.code`` of a record refused because one of syncd's fields is
#: missing or hidden (the field check must run again).
FIELD_MISSING = "field_missing"


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
    #: The CRM's structured error code (or ``FIELD_MISSING``), for decisions.
    code: str = ""


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
    ``responses`` counts the CRM's answers by HTTP status (a request that got no
    answer, such as a connection failure, is not in it); ``http_429`` is the count
    of 429 answers (``responses[429]`` for a connector that reports responses).
    """

    calls: Mapping[str, int] = field(default_factory=dict)
    http_429: int = 0
    responses: Mapping[int, int] = field(default_factory=dict)
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
    ``auto_create_fields`` says whether a cycle may call
    ``ensure_fields(create=True)`` by itself (HubSpot: creating properties is
    routine) or must only verify and leave creation to ``syncd setup``
    (Salesforce: metadata changes need an admin's consent).

    A connector lives as long as the engine that built it (many cycles); the
    engine keeps what it verified (the passed field check) and calls ``close``
    once. Batching of writes is the connector's own business (``write``).
    """

    name: str
    auto_create_fields: bool = False

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
        a pull cut short resumes from its own position.

        When the budget guard says stop after a page, the iterator raises
        ``BudgetExhausted`` once the engine asks for the next page (every page
        yielded before it, with its cursor, stands)."""

    @abc.abstractmethod
    def write(
        self, updates: Iterable[Update], *, before_batch: BeforeBatch | None = None
    ) -> Iterator[Sequence[WriteOutcome]]:
        """Write an ordered stream of updates (most important first) in batches
        the CRM allows, and yield the outcomes of each batch as it completes: one
        outcome per update, in the stream's order (the n-th outcome yielded in all
        belongs to the n-th update taken). The connector takes updates from the
        stream only as it needs them, calls ``before_batch`` right before it sends
        each batch, and stops taking updates when its budget guard says stop (the
        updates already taken get ``retriable`` outcomes with ``rate_limited``).
        Never raises for a record-level failure."""

    @abc.abstractmethod
    def usage(self) -> Usage:
        """Calls so far, 429s and the budget guard's verdict."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release HTTP pools; the default does nothing."""
