"""The fewest API calls and the least time the CRMs' documented limits allow
for one sync run, derived from the fake's object counts (bench_sync.py;
bench/README.md explains each formula). Pure functions, no I/O.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.hubspot.config import HubSpotOptions
from connectors.hubspot.limits import (
    ASSOCIATION_BATCH_MAX,
    BATCH_MAX,
    BURST_PER_WINDOW,
    BURST_WINDOW_S,
    EMAIL_EVENTS_PAGE_MAX,
    FORMS_PAGE_MAX,
    LIST_PAGE_MAX,
    MARKETING_EMAILS_PAGE_MAX,
    SEARCH_PAGE_MAX,
    SEARCH_PER_SECOND,
    SUBMISSIONS_PAGE_MAX,
    WEB_EVENTS_PAGE_MAX,
)
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.limits import COLLECTION_MAX, QUERY_PAGE_MAX
from connectors.salesforce.reads import STANDARD_OBJECTS

#: How far before a run's start a HubSpot pull stops (the connector's default
#: ``safety_lag``): records stamped later are read by the next cycle.
HUBSPOT_SAFETY_LAG_S: float = HubSpotOptions.model_fields["safety_lag"].default.total_seconds()
#: How far before the previous window's end an incremental HubSpot pull starts again
#: (the connector's default ``lookback``): search sees writes late.
HUBSPOT_LOOKBACK_S: float = HubSpotOptions.model_fields["lookback"].default.total_seconds()
#: Salesforce objects a pull reads (queryAll: deleted and archived rows too): accounts,
#: people, activities and outcomes (opportunities and their contact roles).
SF_OBJECTS = STANDARD_OBJECTS
#: Rows above which the Salesforce connector reads an object through Bulk API 2.0 (the
#: connector's default ``bulk_read_threshold``).
SF_BULK_READ = int(SalesforceOptions.model_fields["bulk_read_threshold"].default)
#: A Bulk API 2.0 query: create the job, one status poll, one results page (a lower
#: bound: a results page holds ``maxRecords`` rows, and without it "the server uses a
#: default value based on the service", which Salesforce does not state).
SF_BULK_QUERY_CALLS = 3
#: A Bulk API 2.0 ingest job: create, upload, close, one status poll, two result files.
SF_BULK_JOB_CALLS = 6
#: A bound on one update row of syncd's fields in a job's CSV (Id, score, tier, a reasons
#: text of at most 255 characters, priority, probability, separators; UTF-8).
SF_ROW_BYTES_MAX = 1_200
#: The rows one ingest job surely holds: Bulk API 2.0 takes an upload of up to 150 MB
#: ("Limits and Allocations", Bulk API 2.0 Developer Guide).
SF_JOB_ROWS_MAX = 150 * 1024 * 1024 // SF_ROW_BYTES_MAX


@dataclass(frozen=True, slots=True)
class Minimum:
    """Minimum calls of one run by kind, and the time bounds they imply."""

    reads: int
    writes: int
    auth: int
    #: Calls that go through the search endpoints (HubSpot), part of ``reads``.
    search: int = 0

    @property
    def total(self) -> int:
        return self.reads + self.writes + self.auth


def pages(n: int, size: int) -> int:
    """Calls to read ``n`` records ``size`` at a time; one call even for none (the
    client has to ask to learn that nothing changed)."""
    return max(1, math.ceil(n / size))


#: Objects whose fields syncd checks (describes) once per engine lifetime.
SF_DESCRIBED = ("Lead", "Contact", "Account")


def salesforce(
    rows: Mapping[str, Any] | None,
    writes: Mapping[str, int],
    *,
    login: bool,
    expired: bool = False,
    first: bool = False,
    bulk_read_threshold: int = SF_BULK_READ,
) -> Minimum:
    """The API's floor for one Salesforce run. ``rows``: records per object the run must
    read (None: a run without reads, e.g. rescore-only); ``writes``: records per object
    whose syncd fields must change; ``login``: the run starts without a valid session;
    ``expired``: ... because the session it held expired; ``first``: the engine's first
    run.

    reads  = Σ over ``SF_OBJECTS`` of: rows <= ``bulk_read_threshold``: max(1, ⌈rows /
             2,000⌉) (REST query pages), else 3 (one Bulk API 2.0 query job); plus, on
             the first run, 3 describes (Lead, Contact, Account: syncd's fields are
             checked once per engine lifetime)
    writes = ``salesforce_writes(writes)``
    auth   = 1 login when ``login``, plus the call that finds a held session expired
             (answered 401): a session's end is the org's timeout, which the token
             answer does not state.
    """
    reads = len(SF_DESCRIBED) if first else 0
    if rows is not None:
        for name in SF_OBJECTS:
            n = int(rows.get(name, 0))
            reads += pages(n, QUERY_PAGE_MAX) if n <= bulk_read_threshold else SF_BULK_QUERY_CALLS
    auth = (1 if login else 0) + (1 if login and expired else 0)
    return Minimum(reads, salesforce_writes(writes), auth)


def salesforce_writes(writes: Mapping[str, int]) -> int:
    """The fewest write calls for ``writes`` (records per object): the cheapest split
    of the objects between Bulk API 2.0 ingest jobs (one object a job, 6 calls per
    ``SF_JOB_ROWS_MAX`` rows) and sObject Collections calls (200 records of any mix of
    objects a call)."""
    objects = [name for name, n in writes.items() if n]
    return min(
        math.ceil(sum(writes[o] for o in objects if o not in bulk) / COLLECTION_MAX)
        + sum(SF_BULK_JOB_CALLS * math.ceil(writes[o] / SF_JOB_ROWS_MAX) for o in bulk)
        for k in range(len(objects) + 1)
        for bulk in itertools.combinations(objects, k)
    )


#: HubSpot engagement objects the connector reads (tasks carry no scored activity).
HS_ENGAGEMENTS = ("calls", "emails", "meetings", "notes")
HS_OBJECTS = ("companies", "contacts", *HS_ENGAGEMENTS)
#: Read through the list endpoints by a full sync (search serves a lagging index).
HS_LISTED = ("companies", "contacts")
#: Read through search windows by every sync, their contacts by association reads.
HS_SEARCHED = (*HS_ENGAGEMENTS, "deals")
#: Legacy e-mail event types that can become activities (the rest are send-side).
HS_ENGAGING_EVENTS = ("OPEN", "CLICK", "STATUSCHANGE")


def hubspot(
    rows: Mapping[str, Any] | None,
    updates: int,
    accounts: int = 0,
    *,
    full: bool,
    first: bool = False,
) -> Minimum:
    """The API's floor for one HubSpot run. ``rows``: what the run must read, by stream,
    as sync_fake.py counts it (None: a run without reads; ``rows["plan"]`` the portal's
    plan); ``updates``: contacts whose syncd properties must change; ``first``: the
    engine's first cycle (nothing learnt yet).

    objects     companies, contacts: list ⌈n/100⌉ (full) or search ⌈n/200⌉ (incremental);
                a full sync cannot search them: search serves an index that lags writes,
                and a contact's addresses, which a merge changes, resolve the old e-mail
                events and form submissions that only a full sync reads
    engagements calls, emails, meetings, notes, and deals (outcomes): search ⌈n/200⌉ plus
                ⌈n/1,000⌉ v4 association batch reads (search answers carry no
                associations), full or incremental, half the calls of list pages with
                their contacts inline (⌈n/100⌉). A full sync is the window from 0 to the
                run's start minus the safety lag, keyset-paged by ``hs_object_id`` (each
                query starts afresh, so one query's 10,000-result cap never applies); a
                record modified after that end is read by the next cycle, whose window
                starts a lookback before it. A deal's change moves nothing on its
                contacts, so an incremental pull searches deals even when nothing changed
    email events the cheaper of ⌈all/1,000⌉ and Σ over OPEN, CLICK, STATUSCHANGE of
                ⌈n/1,000⌉ (``eventType`` takes one type; send-side events become no
                activity), plus ⌈campaigns/100⌉ marketing e-mail list pages for the
                campaigns' names (each e-mail lists its ``allEmailCampaignIds``; read
                once, remembered)
    forms       full: ⌈forms/100⌉ list pages plus ⌈n/50⌉ submission pages per form;
                incremental: ⌈n/50⌉ for each form with submissions in the window (its
                contacts' conversion properties name it; the list is remembered)
    e-mails     0: every address resolves to a contact already read (a full pull reads
                them all; incremental ones keep the map)
    page views  Enterprise: ⌈views in the window/100⌉ portal-wide event pages (no
                ``objectId``), none when the window holds no view (a view moves its
                contact's Time Last Seen and modification date, so the contacts read
                tell); below Enterprise: none (the events API answers 403; the
                contacts' last page seen comes with the contact reads)
    first cycle 1 call to learn the plan (the events API's answer, 200 or 403, is the
                only way to learn it) and 2 property reads: syncd's contact and company
                fields are checked once per engine lifetime
    archived    ⌈n/100⌉ archived-list pages each for contacts and companies
    writes      ⌈updates/100⌉ contact + ⌈accounts/100⌉ company batch updates; auth 0
                (private-app token)
    Every stream costs at least one call: the client must ask to learn that nothing
    changed (a form nobody converted on is not asked).
    """
    writes = math.ceil(updates / BATCH_MAX) + math.ceil(accounts / BATCH_MAX)
    if rows is None:
        return Minimum(0, writes, 0)
    page = LIST_PAGE_MAX if full else SEARCH_PAGE_MAX
    listed = sum(pages(int(rows[t]), page) for t in HS_LISTED)
    searched = sum(pages(int(rows.get(t, 0)), SEARCH_PAGE_MAX) for t in HS_SEARCHED)
    links = sum(math.ceil(int(rows.get(t, 0)) / ASSOCIATION_BATCH_MAX) for t in HS_SEARCHED)
    objects = listed + searched
    types = rows.get("email_event_types") or {}
    by_type = sum(pages(int(types.get(t, 0)), EMAIL_EVENTS_PAGE_MAX) for t in HS_ENGAGING_EVENTS)
    events = min(pages(int(rows["email_events"]), EMAIL_EVENTS_PAGE_MAX), by_type)
    if full:
        forms = pages(int(rows["forms"]), FORMS_PAGE_MAX) + sum(
            pages(int(n), SUBMISSIONS_PAGE_MAX) for n in rows["submissions"]
        )
    else:
        forms = sum(pages(int(n), SUBMISSIONS_PAGE_MAX) for n in rows["submissions"] if n)
    enterprise = rows.get("plan", "enterprise") == "enterprise"
    seen = sum(int(n) for n in rows["page_views"])
    views = math.ceil(seen / WEB_EVENTS_PAGE_MAX) if enterprise else 0
    # every campaign's name in one marketing e-mails list, remembered after the full pull
    names = math.ceil(int(rows["campaigns"]) / MARKETING_EMAILS_PAGE_MAX) if full else 0
    marketing = events + names + forms + views + (1 + 2 if first else 0)
    archived = pages(int(rows.get("archived_contacts", 0)), LIST_PAGE_MAX) + pages(
        int(rows.get("archived_companies", 0)), LIST_PAGE_MAX
    )
    reads = objects + links + marketing + archived
    return Minimum(reads, writes, 0, search=searched if full else objects)


def rate_bound_s(crm: str, minimum: Minimum) -> dict[str, float]:
    """Seconds the minimum calls need under each request-rate limit that applies.

    HubSpot (pro): calls other than search count against the burst limit of 190
    per rolling 10 s, search calls against about 5 per second; a window that starts
    idle allows its full burst at once, so the bound is (calls - burst) / rate.
    Salesforce has no request-rate limit (only the daily allocation), so no rate
    bound applies to it.
    """
    if crm != "hubspot":
        return {}
    burst = BURST_PER_WINDOW["pro"]
    rate = burst / BURST_WINDOW_S
    bounds = {"burst": max(0, minimum.total - minimum.search - burst) / rate}
    if minimum.search:
        bounds["search"] = max(0, minimum.search - SEARCH_PER_SECOND) / SEARCH_PER_SECOND
    return bounds


def latency_bound_s(minimum: Minimum, latency_ms: float) -> float:
    """Seconds the minimum calls take one after another at ``latency_ms`` each
    (pages of one query follow each other: each answer names the next page)."""
    return minimum.total * latency_ms / 1000.0
