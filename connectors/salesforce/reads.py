"""Incremental and full reads: one stream per sObject, (SystemModstamp, Id) cursors.

Each stream reads ``SystemModstamp >= cursor - lookback`` and ``< until`` (the
run's start, whole seconds: nothing stamped in the current second is read, so
the cursor never passes ``until``) through ``queryAll`` (deleted, merged and
archived rows included). With no lookback, rows at or before the stored
(stamp, Id) are dropped (``>=`` plus de-duplication); with a lookback they are
re-read on purpose (late commits, see ``delivered.py``) and the rows identical
to ones already delivered are dropped, so a cycle after which nothing changed
delivers none. A re-read from a given instant (``changes(since=...)``) starts
every stream at that second, without lookback, and delivers every row.

REST pages are ordered by ``SystemModstamp, Id`` — a total order, so rows sharing
one second are never lost across a page boundary, and each page's cursor is its
last row. The first REST page tells the result size: above ``bulk_read_threshold``
the rest of the stream comes from one Bulk API 2.0 query for the rows strictly
after that page's last (stamp, Id).

The Bulk query carries no ORDER BY: Salesforce documents that "use of ORDER BY in
a Bulk 2.0 query disables PKChunking for the query. With PKChunking disabled, the
query takes longer to execute, and potentially results in query timeouts"
(Bulk API 2.0 Developer Guide, "Troubleshooting Query Timeouts",
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0_troubleshoot_query_timeouts.htm).
Its result pages therefore come in no particular order, and a page's last row says
nothing about the rows still unread. So every Bulk page but the last carries the
stream's cursor unchanged (the last REST row: everything at or before it is read,
and the Bulk window is strictly after it), and only the last page moves the cursor
to the end of the window. The alternative, a page's safe position from the minimum
stamp still unread, cannot be known without reading ahead. Memory stays one page
(each page is sorted by (stamp, Id) before it is mapped, for a stable page
content), and a crash in the middle of a Bulk read costs a re-read of the Bulk
window, never a skipped row: the engine applies the re-read rows idempotently.
De-duplication needs no memory either: the Bulk window starts strictly after the
REST rows, one job returns each row once, and rows at or before the stored cursor
are dropped by comparison, whatever their order.

Cursor JSON: ``{"v": 1, "streams": {"Lead": ["2026-11-20T10:00:00Z", "00Q…"]}}``; the
kit's stream driver stamps it on every page and asks the budget meter between pages.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.base import (
    JSON,
    AccountRecord,
    ActivityRecord,
    ContactRecord,
    FatalError,
    OutcomeRecord,
    Page,
    SkippedRecord,
)
from connectors.kit.stream import Stage, drive, open_cursor, unreadable
from connectors.salesforce import activities, bulk, mapping, outcomes, soql
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.config import ExtraActivitySource, SalesforceOptions
from connectors.salesforce.delivered import Delivered
from connectors.salesforce.limits import URI_MAX_BYTES
from connectors.salesforce.mapping import Flat

STAMP = "SystemModstamp"
#: The objects every pull reads, in stage order (``queryAll``: deleted and archived rows
#: too); configured extra activity sources follow them.
STANDARD_OBJECTS = (
    "Account",
    "Lead",
    "Contact",
    "Task",
    "Event",
    "CampaignMember",
    "Opportunity",
    "OpportunityContactRole",
)
#: Room left in a GET for the path, the rest of the query and the headers.
_URI_RESERVE = 4_096


@dataclass(frozen=True, slots=True)
class Stream:
    name: str
    sobject: str
    role: str  # account | lead | contact | task | event | member | extra | outcomes.ROLES
    fields: tuple[str, ...]
    where: soql.Where | None = None
    source: ExtraActivitySource | None = None


@dataclass(slots=True)
class Position:
    stamp: dt.datetime
    last_id: str = ""


@dataclass(slots=True)
class RunState:
    """What one ``changes`` call learns as it goes: converted leads, and on an
    incremental read the ids of the leads it read (bounded by what changed), whose
    conversion state is then known without a lookup."""

    converted: dict[str, str] = field(default_factory=dict)
    all_leads_seen: bool = False
    track_leads: bool = False
    leads_read: set[str] = field(default_factory=set)
    #: The contact-role stream reads every role this call (no cursor): an
    #: opportunity page then needs no contact-role look-up of its own.
    roles_whole: bool = False


def floor_second(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("until must be timezone-aware")
    return value.astimezone(dt.UTC).replace(microsecond=0)


CURSOR_VERSION = 1


def load_cursor(cursor: JSON | None) -> dict[str, Position]:
    body = open_cursor(cursor or None, CURSOR_VERSION, "Salesforce")
    if not body:
        return {}
    streams = body.get("streams")
    if not isinstance(streams, dict):
        raise unreadable("Salesforce", "no stream positions")
    out: dict[str, Position] = {}
    for name, value in streams.items():
        stamp = mapping.parse_time(value[0]) if isinstance(value, list) and value else None
        if stamp is None:
            raise unreadable("Salesforce", f"the position of {name}")
        out[str(name)] = Position(stamp, str(value[1]) if len(value) > 1 else "")
    return out


def dump_cursor(positions: dict[str, Position]) -> JSON:
    """The cursor body (the stream driver adds the version)."""
    return {
        "streams": {k: [mapping.iso(p.stamp), p.last_id] for k, p in sorted(positions.items())},
    }


class Reader:
    """Runs the streams for one ``changes`` call."""

    def __init__(
        self,
        client: SalesforceClient,
        options: SalesforceOptions,
        streams: Sequence[Stream],
        people: dict[str, mapping.PersonFields],
        account_fields: dict[str, str],
        account_score_field: str | None,
        *,
        sleep: Callable[[float], None],
        delivered: Delivered | None = None,
    ) -> None:
        self.client = client
        #: The rows earlier calls delivered within the lookback (kept by the connector).
        self.delivered = delivered
        self.options = options
        self.streams = streams
        self.people = people
        self.account_fields = account_fields
        self.account_score_field = account_score_field
        self.sleep = sleep

    # -- driving ------------------------------------------------------------------
    def changes(
        self,
        cursor: JSON | None,
        until: dt.datetime,
        full: bool,
        since: dt.datetime | None = None,
    ) -> Iterator[Page]:
        """The streams' pages; with ``since`` every stream starts at ``since``
        (whole seconds, no lookback) whatever the stored cursor says."""
        positions = {} if full else load_cursor(cursor)
        end = floor_second(until)
        if since is not None:
            positions = {s.name: Position(floor_second(since), "") for s in self.streams}
        run = RunState()
        run.roles_whole = any(
            s.role == "contact_role" and positions.get(s.name) is None for s in self.streams
        )

        def stage(stream: Stream) -> Stage:
            def pages(_: Any) -> Iterator[tuple[Page, Any]]:
                start = positions.get(stream.name)
                run.track_leads = stream.role == "lead" and start is not None
                found = self._stream(stream, start, end, run, positions, exact=since is not None)
                if stream.role in outcomes.ROLES:
                    found = outcomes.optional(stream.sobject, found)
                for page in found:
                    yield page, None
                if stream.role == "lead" and start is None:
                    run.all_leads_seen = True

            return pages

        return drive(
            [stage(stream) for stream in self.streams],
            version=CURSOR_VERSION,
            cursor_of=lambda _index, _pos: dump_cursor(positions),
            meter=self.client.meter,
        )

    def _stream(
        self,
        stream: Stream,
        start: Position | None,
        end: dt.datetime,
        run: RunState,
        positions: dict[str, Position],
        *,
        exact: bool = False,
    ) -> Iterator[Page]:
        lookback = dt.timedelta(0) if exact else self.options.lookback
        lower = None if start is None else start.stamp - lookback
        if lower is not None and lower >= end:
            return
        dedupe = start if start is not None and not lookback else None
        memo = self.delivered if lookback else None
        if memo is not None:
            if lower is None:
                memo.clear(stream.name)  # a read from the start delivers every row
            else:
                memo.prune(stream.name, lower)
        where = soql.and_(
            stream.where,
            soql.ge(STAMP, lower) if lower is not None else None,
            soql.lt(STAMP, end),
        )
        for rows, last, ordered in self._rows(stream, where):
            if dedupe is not None:
                rows = [r for r in rows if not _at_or_before(r, dedupe)]
            if last:
                positions[stream.name] = Position(end, "")
            elif ordered and rows:  # an unordered (Bulk) page keeps the cursor where it was
                tail = rows[-1]
                stamp = mapping.parse_time(tail.get(STAMP))
                if stamp is not None:
                    positions[stream.name] = Position(stamp, str(tail.get("Id")))
            if memo is None:
                yield self._page(stream, rows, run)
                continue
            stamped = [(r, str(r.get("Id")), mapping.parse_time(r.get(STAMP))) for r in rows]
            if lower is not None:
                stamped = [
                    (r, i, t)
                    for r, i, t in stamped
                    if t is None or not memo.is_known(stream.name, i, t, r)
                ]
            yield self._page(stream, [r for r, _i, _t in stamped], run)
            # Resumed: the engine committed that page and asks for the next.
            memo.remember(
                stream.name,
                ((i, t, r) for r, i, t in stamped if t is not None),
                since=end - lookback,
            )

    def _rows(
        self, stream: Stream, where: soql.Where | None
    ) -> Iterator[tuple[list[Flat], bool, bool]]:
        """(rows, is_last_page, is_ordered) for the stream, REST first (ordered) and
        Bulk for large results (no ORDER BY: each page sorted on its own, pages in no
        particular order relative to each other)."""
        text = soql.select(stream.sobject, stream.fields, where, order_by=(STAMP, "Id"))
        pages = self.client.query_pages(text, include_deleted=True)
        first = next(pages)
        rows = [mapping.flatten(r) for r in first.get("records", [])]
        done = bool(first.get("done", True))
        if done or int(first.get("totalSize", 0)) <= self.options.bulk_read_threshold:
            yield rows, done, True
            for page in pages:
                done = bool(page.get("done", True))
                yield [mapping.flatten(r) for r in page.get("records", [])], done, True
            return
        yield rows, False, True
        tail = rows[-1]
        after = soql.or_(
            soql.gt(STAMP, _stamp(tail)),
            soql.and_(soql.eq(STAMP, _stamp(tail)), soql.gt("Id", str(tail["Id"]))),
        )
        bulk_text = soql.select(stream.sobject, stream.fields, soql.and_(where, after))
        chunks = bulk.query_pages(
            self.client,
            stream.sobject,
            bulk_text,
            page_records=self.options.bulk_page_records,
            poll_s=self.options.bulk_poll.total_seconds(),
            sleep=self.sleep,
        )
        previous: list[Flat] | None = None
        for chunk in chunks:
            if previous is not None:
                yield previous, False, False
            previous = sorted(chunk, key=_order)
        yield previous or [], True, False

    # -- mapping a page -------------------------------------------------------------
    def _page(self, stream: Stream, rows: list[Flat], run: RunState) -> Page:
        if stream.role == "account":
            return self._accounts(rows)
        if stream.role in ("lead", "contact"):
            return self._people(stream.role, rows, run)
        if stream.role in outcomes.ROLES:
            return outcomes.page(self.client, stream.role, rows, join=not run.roles_whole)
        return self._activities(stream, rows, run)

    def _accounts(self, rows: list[Flat]) -> Page:
        accounts: list[AccountRecord] = []
        deleted: list[str] = []
        skipped: list[SkippedRecord] = []
        for row in rows:
            if mapping.boolean(row.get("IsDeleted")):
                deleted.append(str(row["Id"]))
                continue
            mapped = mapping.safely(
                "account",
                row,
                lambda r: mapping.account(
                    r,
                    self.account_fields,
                    self.account_score_field,
                    self.options.account_priority_field,
                ),
            )
            if isinstance(mapped, SkippedRecord):
                skipped.append(mapped)
            else:
                accounts.append(mapped)
        return Page(accounts=accounts, deleted_accounts=deleted, skipped=skipped)

    def _people(self, kind: str, rows: list[Flat], run: RunState) -> Page:
        contacts: list[ContactRecord] = []
        deleted: list[str] = []
        merged: dict[str, str] = {}
        skipped: list[SkippedRecord] = []
        found: list[OutcomeRecord] = []
        fields = self.people[kind]
        for row in rows:
            record_id = str(row["Id"])
            if kind == "lead":
                found += outcomes.lead_outcomes(row)
            if run.track_leads:
                run.leads_read.add(record_id)
            if mapping.boolean(row.get("IsDeleted")):
                master = mapping.text(row.get("MasterRecordId"))
                if master:
                    merged[record_id] = master
                else:
                    deleted.append(record_id)
                continue
            mapped = mapping.safely(kind, row, lambda r: mapping.person(kind, r, fields))
            if isinstance(mapped, SkippedRecord):
                skipped.append(mapped)
                continue
            if not mapped.writable:
                target = mapping.text(row.get("ConvertedContactId"))
                if target:
                    run.converted[record_id] = target
            contacts.append(mapped)
        return Page(
            contacts=contacts,
            deleted_contacts=deleted,
            merged=merged,
            skipped=skipped,
            outcomes=found,
        )

    def _activities(self, stream: Stream, rows: list[Flat], run: RunState) -> Page:
        live = [r for r in rows if not mapping.boolean(r.get("IsDeleted"))]
        whos = [self._who(stream, r) for r in live]
        self._learn_conversions(whos, run)
        found: list[ActivityRecord] = []
        skipped: list[SkippedRecord] = []
        for row, who in zip(live, whos, strict=True):
            if who is None:
                continue  # not about a person (e.g. only an account)
            who = run.converted.get(who, who)
            mapped: Any = mapping.safely(
                stream.role, row, functools.partial(self._activity, stream, who=who)
            )
            if mapped is None:
                continue  # not an engagement
            if isinstance(mapped, SkippedRecord):
                skipped.append(mapped)
            elif isinstance(mapped, list):
                found.extend(mapped)
            else:
                found.append(mapped)
        return Page(activities=found, skipped=skipped)

    @staticmethod
    def _activity(stream: Stream, row: Flat, who: str) -> Any:
        if stream.role == "task":
            return activities.task(row, who)
        if stream.role == "event":
            return activities.event(row, who)
        if stream.role == "member":
            return activities.campaign_member(row, who)
        assert stream.source is not None
        return activities.extra(row, who, stream.source)

    def _who(self, stream: Stream, row: Flat) -> str | None:
        if stream.role == "member":
            return activities.who_of_member(row)
        name = stream.source.who_field if stream.source else "WhoId"
        who = mapping.text(row.get(name))
        if who is None or not who.startswith(("00Q", "003")):
            return None
        return who

    def _learn_conversions(self, whos: list[str | None], run: RunState) -> None:
        """Find which leads among ``whos`` were converted (their history follows the
        Contact), with ``Id IN`` lists chunked under the URI limit."""
        if run.all_leads_seen:
            return
        unknown = [
            i
            for i in activities.lead_ids(whos)
            if i not in run.converted and i not in run.leads_read
        ]
        budget = URI_MAX_BYTES - _URI_RESERVE
        for chunk in soql.chunk_ids(unknown, budget=budget):
            text = soql.select(
                "Lead",
                ("Id", "ConvertedContactId"),
                soql.and_(soql.eq("IsConverted", True), soql.id_in("Id", chunk)),
            )
            for page in self.client.query_pages(text, include_deleted=False):
                for record in page.get("records", []):
                    target = mapping.text(record.get("ConvertedContactId"))
                    if target:
                        run.converted[str(record["Id"])] = target


def _stamp(row: Flat) -> dt.datetime:
    stamp = mapping.parse_time(row.get(STAMP))
    if stamp is None:
        raise FatalError(f"record {row.get('Id')} has no SystemModstamp")
    return stamp


def _order(row: Flat) -> tuple[dt.datetime, str]:
    return _stamp(row), str(row.get("Id"))


def _at_or_before(row: Flat, position: Position) -> bool:
    stamp = mapping.parse_time(row.get(STAMP))
    if stamp is None:
        return False
    return (stamp, str(row.get("Id"))) <= (position.stamp, position.last_id)
