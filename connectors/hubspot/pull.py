"""One pull (``Connector.changes``): stages of paged reads inside one closed time window.

A cycle reads the window ``[lo, hi]``: ``hi`` is the run's start minus the safety lag
(the search index lags writes, and very recent modification dates are not monotonic),
``lo`` is the previous cycle's ``hi`` minus the lookback (the engine de-duplicates the
overlap by id and activity key). A full pull (no cursor, or ``full``) is the window
``[0, hi]``.

Companies and contacts are read through the list endpoints on a full pull (100 a page)
and through search windows on an incremental one. Their current state is what the pull
must see: a contact's addresses resolve the e-mail events and form submissions that only
a full pull reads, and a merge changes them; search serves its index, which lags writes,
so a full pull that searched contacts would resolve old activities against stale
addresses and lose them. Engagements (calls, emails, meetings, notes) and deals are read
through search windows on every pull (``reader.search_window``, 200 a page, keyset-paged
by ``hs_object_id``, so one query's 10,000-result cap never applies), their contacts
through v4 association batch reads (search answers carry no associations), one per
1,000 records: half the calls of list pages. An engagement modified after ``hi`` is read
by the next pull, whose window starts a lookback before ``hi`` (the argument that keeps
incremental pulls safe against the index's lag).

A full pull reads two lanes at once (``connectors.kit.lanes``, ``pull_position.LANES``):
the searched stages, bound by the search limit, and the others, bound by the burst
limit, so neither limit's waits add to the other's; its cursor holds each lane's
stage and position. An incremental pull reads its stages one after another.

Stages, in order: companies, contacts (with merges and lifecycle outcomes), engagements,
email events (a full pull reads only the types that become activities), form
submissions (an incremental pull reads only the forms its contacts converted on),
archived contacts and companies, deals (outcomes, ``connectors.hubspot.outcomes``), page
views. Page views follow the portal's plan
(plan.py): portal-wide by time window (Enterprise), contact by contact for contacts
whose counters moved (a portal that refuses the portal-wide form), or the contacts'
last-visited page (no events API below Enterprise). A page view moves its contact's
``hs_analytics_last_timestamp`` (Time Last Seen) and so its modification date, so the
contacts a pull reads tell whether any page view happened: when none of them was seen
since the page-view window's start, the portal-wide read is skipped (no call) and the
window stays open in the cursor (``views_lo``) until a later pull sees a visit and
reads it whole; a pull that did not read its contacts from the start (a resumed
cycle) reads page views without asking. E-mail addresses are resolved to
contacts from the contacts already read (``Memory.emails``), batch reads only for
the others.
The cursor after each page names the stage (each lane's, on a full pull) and the position
to resume from, so a cycle
cut short (budget guard, crash) resumes where its last committed page ended; the final
page of a cycle carries ``{"since": hi}``.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

from connectors.base import (
    JSON,
    AccountRecord,
    ActivityRecord,
    ContactRecord,
    OutcomeRecord,
    Page,
    SkippedRecord,
)
from connectors.hubspot import activity_mapping as acts
from connectors.hubspot import limits, merges, outcomes, reader
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.config import HubSpotOptions
from connectors.hubspot.mapping import (
    company_properties,
    contact_properties,
    map_company,
    map_contact,
    merged_ids,
    parse_time,
    to_ms,
)
from connectors.hubspot.memory import Memory
from connectors.hubspot.plan import Plan
from connectors.hubspot.pull_marketing import MarketingStages
from connectors.hubspot.pull_position import (
    CURSOR_VERSION,
    ENGAGEMENT_PROPERTIES,
    LANES,
    SEARCHED,
    STAGES,
    check_cursor,
    lanes_of,
)
from connectors.kit.lanes import Position, drive_lanes
from connectors.kit.stream import drive

log = logging.getLogger("connectors.hubspot")

#: Engagements (and deals) gathered per page, so one v4 association read covers them.
ENGAGEMENTS_PER_PAGE = 1_000


class Pull(MarketingStages):
    """The stages of one ``changes()`` call."""

    def __init__(
        self,
        client: HubSpotClient,
        options: HubSpotOptions,
        field_map: dict[str, str],
        executor: Executor,
        memory: Memory,
    ) -> None:
        self.client = client
        self.options = options
        self.fields = options.fields
        self.field_map = field_map
        self.executor = executor
        self.memory = memory
        self.campaigns = memory.campaigns
        self.emails = memory.emails
        self._plan: Plan | None = None
        self._stored_plan: object = None
        #: Conversion names of the contacts read this pull (None: contacts not read).
        self.converted: set[str] | None = None
        #: Whether a contact read this pull was seen since ``views_from`` (None: the
        #: contacts were not read from the start, so it is not known).
        self.visited: bool | None = None
        #: Start of the page-view window (epoch ms) and, when this pull skipped the
        #: window, where the next pull's window starts (``views_lo`` in the cursor).
        self.views_from = 0
        self.views_pending: int | None = None

    def plan(self) -> Plan:
        """The portal's plan, probed on first need (see plan.py)."""
        if self._plan is None:
            self._plan = self.memory.plan.current(self.client, self._stored_plan)
        return self._plan

    def _learnt(self, plan: Plan) -> None:
        self._plan = plan
        self.memory.plan.learnt(plan)

    def _with_plan(self, cursor: dict[str, Any]) -> dict[str, Any]:
        plan = self._plan or Plan.from_json(self._stored_plan)
        if plan is None:
            return cursor
        out = {**cursor, "plan": plan.to_json()}
        if plan.notes:
            out["notes"] = plan.notes
        return out

    # -- driver --------------------------------------------------------------------------
    def pages(
        self, cursor: JSON | None, until: datetime, full: bool, reread: datetime | None = None
    ) -> Iterator[Page]:
        """The pull's pages; ``reread`` (``changes(since=...)``) opens the window at
        that instant instead of at the stored cursor, and records the window's low
        end in the cycle position so an interrupted re-read resumes the same window."""
        body = check_cursor(cursor)
        self._stored_plan = body.get("plan") if body else None
        since = body.get("since") if body else None
        cycle = body.get("cycle") if body else None
        views_lo = body.get("views_lo") if body else None
        is_full = (full or since is None) and reread is None
        hi = to_ms(until) - int(self.options.safety_lag.total_seconds() * 1000)
        stage, pos = 0, None
        lanes: list[Position] = [(0, None) for _ in LANES]
        lo_from_cycle: int | None = None
        if (
            reread is None
            and isinstance(cycle, dict)
            and bool(cycle.get("full")) == is_full
            and not full
        ):
            hi, stage, pos = int(cycle["hi"]), int(cycle.get("stage", 0)), cycle.get("pos")
            lo_from_cycle = cycle.get("lo")
            lanes = (
                [(int(s), p) for s, p in cycle["lanes"]]
                if "lanes" in cycle
                else lanes_of(stage, pos)
            )
        if reread is not None:
            lo = max(0, to_ms(reread))
            since = since if since is not None else lo
        elif lo_from_cycle is not None:
            lo = lo_from_cycle
        elif since is not None and not is_full:
            lo = max(0, int(since) - int(self.options.lookback.total_seconds() * 1000))
        else:
            lo = 0
        if hi < lo:
            hi = lo
        self.views_from = lo if views_lo is None or is_full else min(int(views_lo), lo)
        self.visited, self.views_pending = None, None
        kept = {} if views_lo is None or is_full else {"views_lo": views_lo}
        window = {"hi": hi, "lo": lo, "full": is_full}
        if is_full:
            return self._final_with_plan(
                drive_lanes(
                    [
                        [functools.partial(self._stage, n, lo, hi, True) for n in lane]
                        for lane in LANES
                    ],
                    version=CURSOR_VERSION,
                    cursor_of=lambda at: self._with_plan(
                        {
                            **kept,
                            "since": since,
                            "cycle": {**window, "lanes": [list(p) for p in at]},
                        }
                    ),
                    meter=self.client.meter,
                    start=lanes,
                    final={"since": hi},
                )
            )
        stages = [functools.partial(self._stage, name, lo, hi, False) for name in STAGES]
        return self._final_with_plan(
            drive(
                stages,
                version=CURSOR_VERSION,
                cursor_of=lambda index, resume: self._with_plan(
                    {**kept, "since": since, "cycle": {**window, "stage": index, "pos": resume}}
                ),
                meter=self.client.meter,
                start_stage=stage,
                start_position=pos,
                final={"since": hi},
            )
        )

    def _final_with_plan(self, pages: Iterator[Page]) -> Iterator[Page]:
        """The pages, the final cursor carrying the plan too (its notes for status) and
        the page-view window this pull left unread."""
        for page in pages:
            if isinstance(page.cursor, dict) and "cycle" not in page.cursor:
                final = dict(page.cursor)
                if self.views_pending is not None:
                    final["views_lo"] = self.views_pending
                page = dataclasses.replace(page, cursor=self._with_plan(final))
            yield page

    def _stage(
        self, name: str, lo: int, hi: int, full: bool, pos: Any
    ) -> Iterator[tuple[Page, Any]]:
        if name == "companies":
            return self._companies(lo, hi, full, pos)
        if name == "contacts":
            return self._contacts(lo, hi, full, pos)
        if name in ENGAGEMENT_PROPERTIES:
            return self._engagements(name, lo, hi, full, pos)
        if name == "email_events":
            return self._email_events(lo, hi, full, pos)
        if name == "forms":
            return self._forms(lo, hi, full)
        if name == "deals":
            props = outcomes.DEAL_PROPERTIES
            rows = self._rows("deals", "hs_lastmodifieddate", props, lo, hi, full, pos)
            return outcomes.deal_pages(self.client, _gathered(rows))
        if name == "page_views":
            return self._portal_page_views(hi, pos)
        return self._archived(name.removeprefix("archived_"), lo, full, pos)

    def _rows(
        self,
        object_type: str,
        modified: str,
        props: Sequence[str],
        lo: int,
        hi: int,
        full: bool,
        pos: Any,
    ) -> Iterator[reader.RowPage]:
        """Search windows, or on a full pull the list endpoint for the objects it does not
        search (``SEARCHED``: companies and contacts are listed)."""
        if full and object_type not in SEARCHED:
            return reader.list_all(self.client, object_type, props, pos)
        return reader.search_window(self.client, object_type, modified, lo, hi, props, pos)

    # -- CRM objects -----------------------------------------------------------------------
    def _companies(self, lo: int, hi: int, full: bool, pos: Any) -> Iterator[tuple[Page, Any]]:
        props = company_properties(self.fields)
        for rows in self._rows("companies", "hs_lastmodifieddate", props, lo, hi, full, pos):
            accounts: list[AccountRecord] = []
            dropped: list[SkippedRecord] = []
            for rid, values in rows.rows:
                mapped = map_company(rid, values, self.options.industry_map, self.fields)
                dropped += _dropped(rid, "company", mapped.warnings)
                accounts.append(mapped.record)
            yield Page(accounts=accounts, skipped=dropped), rows.next

    def _contacts(self, lo: int, hi: int, full: bool, pos: Any) -> Iterator[tuple[Page, Any]]:
        props = [
            *contact_properties(self.field_map, self.fields),
            *outcomes.CONTACT_PROPERTIES,
            merges.ADDITIONAL_EMAILS,
        ]
        mode = self.plan().page_views
        if pos is None:
            self.converted = set()
            self.visited = False
        for rows in self._rows("contacts", "lastmodifieddate", props, lo, hi, full, pos):
            contacts: list[ContactRecord] = []
            merged: dict[str, str] = {}
            visited: list[str] = []
            activities: list[ActivityRecord] = []
            found: list[OutcomeRecord] = []
            dropped: list[SkippedRecord] = []
            for rid, values in rows.rows:
                found += outcomes.lifecycle(rid, values)
                mapped = map_contact(rid, values, self.field_map, self.fields)
                dropped += _dropped(rid, "contact", mapped.warnings)
                contacts.append(mapped.record)
                for loser in merged_ids(values):
                    merged[loser] = rid
                email = (values.get("email") or "").strip().lower()
                for address in merges.additional(values) | ({email} if email else set()):
                    self.emails[address] = rid  # a merge left the others on this contact
                if self.converted is not None:
                    self.converted.update(acts.conversions(values, lo, full))
                if self.visited is False and acts.seen_since(values, self.views_from):
                    self.visited = True
                if mode == "per_contact" and acts.visited(values, lo, full):
                    visited.append(rid)
                elif mode == "none":
                    last = acts.last_page_view(rid, values)
                    if last is not None:
                        activities.append(ActivityRecord(last.key, rid, last.data))
            activities += self._page_views(visited, lo, hi)
            self.memory.merge(merged)
            page = Page(
                contacts=contacts,
                merged=merged,
                activities=activities,
                outcomes=found,
                skipped=dropped,
            )
            yield page, rows.next

    def _engagements(
        self, object_type: str, lo: int, hi: int, full: bool, pos: Any
    ) -> Iterator[tuple[Page, Any]]:
        props = ENGAGEMENT_PROPERTIES[object_type]
        pages = self._rows(object_type, "hs_lastmodifieddate", props, lo, hi, full, pos)
        for rows in _gathered(pages):
            yield self._engagement_page(object_type, rows.rows), rows.next

    def _engagement_page(self, object_type: str, rows: list[reader.Row]) -> Page:
        """The page's activities, each engagement's contacts from one association batch
        read (none when no engagement maps to an activity)."""
        mapped = {
            rid: act
            for rid, values in rows
            if (act := acts.engagement(object_type, rid, values)) is not None
        }
        links = reader.associated_contacts(self.client, object_type, list(mapped)) if mapped else {}
        records = [
            ActivityRecord(act.key, cid, act.data)
            for rid, act in mapped.items()
            for cid in links.get(rid, [])
        ]
        return Page(activities=records)

    # -- deletions -------------------------------------------------------------------------
    def _archived(
        self, object_type: str, lo: int, full: bool, pos: Any
    ) -> Iterator[tuple[Page, Any]]:
        for rows in reader.list_all(self.client, object_type, (), pos, archived=True):
            gone = []
            skipped = []
            for rid, values in rows.rows:
                when = parse_time(values.get("archivedAt"))
                if when is None:
                    skipped.append(SkippedRecord(rid, object_type, "archived without archivedAt"))
                elif full or to_ms(when) >= lo:
                    gone.append(rid)
            if object_type == "contacts":
                yield Page(deleted_contacts=gone, skipped=skipped), rows.next
            else:
                yield Page(deleted_accounts=gone, skipped=skipped), rows.next


def _gathered(pages: Iterator[reader.RowPage]) -> Iterator[reader.RowPage]:
    """Search pages joined into pages of up to ``ENGAGEMENTS_PER_PAGE`` records, so one
    association batch read covers each (the last one's position stands for the join)."""
    buffered: list[reader.Row] = []
    for rows in pages:
        buffered += rows.rows
        if len(buffered) + limits.SEARCH_PAGE_MAX > ENGAGEMENTS_PER_PAGE or rows.next is None:
            yield reader.RowPage(buffered, rows.next)
            buffered = []
    if buffered:  # search_window ends on a page without next; kept for any other source
        yield reader.RowPage(buffered, None)


def _dropped(record_id: str, kind: str, warnings: Sequence[str]) -> list[SkippedRecord]:
    """A mapped record's unusable values, counted and logged by the engine (the
    record is kept without them)."""
    return [SkippedRecord(record_id, kind, w, kept=True) for w in warnings]
