"""One pull (``Connector.changes``): stages of paged reads inside one closed time window.

A cycle reads the window ``[lo, hi]``: ``hi`` is the run's start minus the safety lag
(the search index lags writes, and very recent modification dates are not monotonic),
``lo`` is the previous cycle's ``hi`` minus the lookback (the engine de-duplicates the
overlap by id and activity key). A full pull (no cursor, or ``full``) reads everything up
to ``hi`` through the list endpoints.

Stages, in order: companies, contacts (with merges and page views), engagements (calls,
emails, meetings, notes), email events, form submissions, archived contacts and companies.
The cursor after each page names the stage and the position to resume from, so a cycle
cut short (budget guard, crash) resumes where its last committed page ended; the final
page of a cycle carries ``{"since": hi}``.
"""

from __future__ import annotations

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
    Page,
    SkippedRecord,
)
from connectors.hubspot import activity_mapping as acts
from connectors.hubspot import limits, merges, reader
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
from connectors.kit.stream import drive, open_cursor, unreadable

log = logging.getLogger("connectors.hubspot")

ENGAGEMENT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "calls": ("hs_timestamp", "hs_call_title"),
    "emails": ("hs_timestamp", "hs_email_direction", "hs_email_subject"),
    "meetings": ("hs_timestamp", "hs_meeting_title"),
    "notes": ("hs_timestamp", "hs_note_body"),
}
STAGES = (
    "companies",
    "contacts",
    *ENGAGEMENT_PROPERTIES,
    "email_events",
    "forms",
    "archived_contacts",
    "archived_companies",
)
CURSOR_VERSION = 1
#: Engagements gathered per page, so one v4 association read covers them.
ENGAGEMENTS_PER_PAGE = 1_000
#: Form submissions gathered per page, so their contacts are looked up 100 at a time.
SUBMISSIONS_PER_PAGE = 1_000


class Pull:
    """The stages of one ``changes()`` call."""

    def __init__(
        self,
        client: HubSpotClient,
        options: HubSpotOptions,
        field_map: dict[str, str],
        executor: Executor,
        campaigns: dict[int, str | None],
    ) -> None:
        self.client = client
        self.options = options
        self.fields = options.fields
        self.field_map = field_map
        self.executor = executor
        self.campaigns = campaigns
        self.emails: dict[str, str | None] = {}

    # -- driver --------------------------------------------------------------------------
    def pages(
        self, cursor: JSON | None, until: datetime, full: bool, reread: datetime | None = None
    ) -> Iterator[Page]:
        """The pull's pages; ``reread`` (``changes(since=...)``) opens the window at
        that instant instead of at the stored cursor, and records the window's low
        end in the cycle position so an interrupted re-read resumes the same window."""
        body = _check_cursor(cursor)
        since = body.get("since") if body else None
        cycle = body.get("cycle") if body else None
        is_full = (full or since is None) and reread is None
        hi = to_ms(until) - int(self.options.safety_lag.total_seconds() * 1000)
        stage, pos = 0, None
        lo_from_cycle: int | None = None
        if (
            reread is None
            and isinstance(cycle, dict)
            and bool(cycle.get("full")) == is_full
            and not full
        ):
            hi, stage, pos = int(cycle["hi"]), int(cycle.get("stage", 0)), cycle.get("pos")
            lo_from_cycle = cycle.get("lo")
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
        stages = [functools.partial(self._stage, name, lo, hi, is_full) for name in STAGES]
        return drive(
            stages,
            version=CURSOR_VERSION,
            cursor_of=lambda index, resume: {
                "since": since,
                "cycle": {"hi": hi, "lo": lo, "full": is_full, "stage": index, "pos": resume},
            },
            meter=self.client.meter,
            start_stage=stage,
            start_position=pos,
            final={"since": hi},
        )

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
            return self._email_events(lo, hi, pos)
        if name == "forms":
            return self._forms(lo, hi)
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
        if full:
            return reader.list_all(self.client, object_type, props, pos)
        return reader.search_window(self.client, object_type, modified, lo, hi, props, pos)

    # -- CRM objects -----------------------------------------------------------------------
    def _companies(self, lo: int, hi: int, full: bool, pos: Any) -> Iterator[tuple[Page, Any]]:
        props = company_properties(self.fields)
        for rows in self._rows("companies", "hs_lastmodifieddate", props, lo, hi, full, pos):
            accounts: list[AccountRecord] = []
            for rid, values in rows.rows:
                mapped = map_company(rid, values, self.options.industry_map, self.fields)
                _warn(mapped.warnings)
                accounts.append(mapped.record)
            yield Page(accounts=accounts), rows.next

    def _contacts(self, lo: int, hi: int, full: bool, pos: Any) -> Iterator[tuple[Page, Any]]:
        props = contact_properties(self.field_map, self.fields)
        for rows in self._rows("contacts", "lastmodifieddate", props, lo, hi, full, pos):
            contacts: list[ContactRecord] = []
            merged: dict[str, str] = {}
            visited: list[str] = []
            for rid, values in rows.rows:
                mapped = map_contact(rid, values, self.field_map, self.fields)
                _warn(mapped.warnings)
                contacts.append(mapped.record)
                for loser in merged_ids(values):
                    merged[loser] = rid
                if _visited(values, lo, full):
                    visited.append(rid)
            activities = self._page_views(visited, lo, hi)
            yield Page(contacts=contacts, merged=merged, activities=activities), rows.next

    def _page_views(self, contact_ids: list[str], lo: int, hi: int) -> list[ActivityRecord]:
        """Page views of the contacts whose visit counters moved (in parallel, bounded)."""
        fetched = self.executor.map(
            lambda cid: (cid, reader.page_views(self.client, cid, lo, hi)), contact_ids
        )
        out: list[ActivityRecord] = []
        for cid, events in fetched:
            for event in events:
                act = acts.page_view(event)
                if act is not None:
                    out.append(ActivityRecord(act.key, cid, act.data))
        return out

    def _engagements(
        self, object_type: str, lo: int, hi: int, full: bool, pos: Any
    ) -> Iterator[tuple[Page, Any]]:
        props = ENGAGEMENT_PROPERTIES[object_type]
        buffered: list[reader.Row] = []
        resume = pos
        step = limits.LIST_PAGE_MAX if full else limits.SEARCH_PAGE_MAX
        for rows in self._rows(object_type, "hs_lastmodifieddate", props, lo, hi, full, pos):
            buffered += rows.rows
            resume = rows.next
            if len(buffered) + step > ENGAGEMENTS_PER_PAGE or rows.next is None:
                yield self._engagement_page(object_type, buffered), resume
                buffered = []
        if buffered:
            yield self._engagement_page(object_type, buffered), resume

    def _engagement_page(self, object_type: str, rows: list[reader.Row]) -> Page:
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

    # -- marketing -------------------------------------------------------------------------
    def _email_events(self, lo: int, hi: int, pos: Any) -> Iterator[tuple[Page, Any]]:
        include = self.options.include_filtered_email_events
        for events, token in reader.email_events(self.client, lo, hi, pos):
            wanted = []
            for event in events:
                campaign_id = event.get("emailCampaignId")
                name = None
                if isinstance(campaign_id, int) and event.get("type") in acts.ENGAGING_EVENTS:
                    name = reader.campaign_name(self.client, campaign_id, self.campaigns)
                act = acts.email_event(event, name, include)
                if act is not None:
                    wanted.append((str(event.get("recipient") or "").lower(), act))
            yield Page(activities=self._by_email(wanted)), token

    def _forms(self, lo: int, hi: int) -> Iterator[tuple[Page, Any]]:
        demo = self.options.demo_form_pattern
        patterns = list(self.options.form_types.items())
        wanted: list[tuple[str, acts.Activity]] = []
        for form_id, form_name in reader.forms(self.client):
            for batch in reader.submissions(self.client, form_id, lo, hi):
                for item in batch:
                    act = acts.form_submission(form_name, item, demo, patterns)
                    email = acts.submission_email(item)
                    if act is not None and email:
                        wanted.append((email, act))
                if len(wanted) >= SUBMISSIONS_PER_PAGE:  # several forms share e-mail lookups
                    yield Page(activities=self._by_email(wanted)), None
                    wanted = []
        if wanted:
            yield Page(activities=self._by_email(wanted)), None

    def _by_email(self, wanted: list[tuple[str, acts.Activity]]) -> list[ActivityRecord]:
        fresh = {e for e, _ in wanted if e not in self.emails}
        reader.contact_ids_by_email(self.client, fresh, self.emails)
        merges.resolve_additional(self.client, fresh, self.emails)  # merged-away addresses
        out = []
        for email, act in wanted:
            cid = self.emails.get(email)
            if cid is not None:
                out.append(ActivityRecord(act.key, cid, act.data))
        return out

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


def _check_cursor(cursor: JSON | None) -> JSON | None:
    """A stored cursor this connector wrote, or a clear error (never a KeyError later)."""
    body = open_cursor(cursor, CURSOR_VERSION, "HubSpot")
    if body is None:
        return None
    problem = None
    since = body.get("since")
    cycle = body.get("cycle")
    if since is not None and not isinstance(since, int):
        problem = f"since: {since!r} is not epoch milliseconds"
    elif cycle is not None and not (
        isinstance(cycle, dict)
        and isinstance(cycle.get("hi"), int)
        and isinstance(cycle.get("stage"), int)
        and 0 <= cycle["stage"] < len(STAGES)
        and isinstance(cycle.get("lo", 0), int)
    ):
        problem = "cycle: not a position this connector wrote"
    if problem:
        raise unreadable("HubSpot", problem)
    return body


def _visited(values: dict[str, str | None], lo: int, full: bool) -> bool:
    """Whether a contact's page-view counter may have moved inside the window."""
    try:
        count = int(float(values.get("hs_analytics_num_page_views") or 0))
    except ValueError:
        return False
    if count <= 0:
        return False
    if full:
        return True
    last = parse_time(values.get("hs_analytics_last_visit_timestamp"))
    return last is not None and to_ms(last) >= lo


def _warn(warnings: Sequence[str]) -> None:
    for line in warnings:
        log.warning("%s", line)
