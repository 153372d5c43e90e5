"""The fewest API calls and the least time the CRMs' documented limits allow
for one sync run, derived from the fake's object counts (bench_sync.py;
bench/README.md explains each formula). Pure functions, no I/O.
"""

from __future__ import annotations

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
from connectors.salesforce.limits import COLLECTION_MAX, QUERY_PAGE_MAX

#: How far before a run's start a HubSpot pull stops (the connector's default
#: ``safety_lag``): records stamped later are read by the next cycle.
HUBSPOT_SAFETY_LAG_S: float = HubSpotOptions.model_fields["safety_lag"].default.total_seconds()
#: How far before the previous window's end an incremental HubSpot pull starts again
#: (the connector's default ``lookback``): search sees writes late.
HUBSPOT_LOOKBACK_S: float = HubSpotOptions.model_fields["lookback"].default.total_seconds()
#: Salesforce objects a pull reads (queryAll: deleted and archived rows too).
SF_OBJECTS = ("Account", "Lead", "Contact", "Task", "Event", "CampaignMember")


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


def salesforce(rows: Mapping[str, Any] | None, updates: int, accounts: int = 0) -> Minimum:
    """``rows``: records per object the run must read (None: a run without reads,
    e.g. rescore-only); ``updates`` / ``accounts``: Leads and Contacts / Accounts
    whose syncd fields must change.

    reads  = Σ over Account, Lead, Contact, Task, Event, CampaignMember of
             max(1, ⌈rows / 2,000⌉)       (REST query page)
    writes = ⌈(updates + accounts) / 200⌉ (sObject Collections take mixed types)
    auth   = 1 login when the run calls the API at all.
    """
    reads = 0 if rows is None else sum(pages(rows.get(o, 0), QUERY_PAGE_MAX) for o in SF_OBJECTS)
    writes = math.ceil((updates + accounts) / COLLECTION_MAX)
    return Minimum(reads, writes, 1 if reads or writes else 0)


#: HubSpot engagement objects the connector reads (tasks carry no scored activity).
HS_ENGAGEMENTS = ("calls", "emails", "meetings", "notes")
HS_OBJECTS = ("companies", "contacts", *HS_ENGAGEMENTS)
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

    objects     companies, contacts, engagements (calls, emails, meetings, notes) and deals:
                search ⌈n/200⌉, full or incremental. A full sync is the window from 0 to
                the run's start minus the safety lag, keyset-paged by ``hs_object_id``
                (each query starts afresh, so one query's 10,000-result cap never
                applies); a record modified after that end is read by the next cycle,
                whose window starts a lookback before it: the argument that already
                makes incremental pulls safe against the search index's lag. Search
                allows about 5 calls a second (``rate_bound_s``), the price in time of
                half the list endpoints' calls (100 a page)
    links       engagements and deals: ⌈n/1,000⌉ v4 association batch reads each (search
                answers carry no associations); a deal's change moves nothing on its
                contacts, so an incremental pull searches deals even when nothing changed
    email events the cheaper of ⌈all/1,000⌉ and Σ over OPEN, CLICK, STATUSCHANGE of
                ⌈n/1,000⌉ (``eventType`` takes one type; send-side events become no
                activity), plus ⌈campaigns/100⌉ marketing e-mail list pages for the
                campaigns' names (each e-mail lists its ``allEmailCampaignIds``; read
                once, remembered)
    forms       full: ⌈forms/100⌉ list pages plus ⌈n/50⌉ submission pages per form;
                incremental: ⌈n/50⌉ for each form with submissions in the window (its
                contacts' conversion properties name it; the list is remembered)
    e-mails     0 on an incremental pull (the map of addresses is kept); a full pull
                resolves its events' and submissions' addresses from the contacts it read
                and batch-reads the rest, ⌈unresolved/100⌉ (contacts modified after the
                window's end)
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
    objects = sum(pages(int(rows.get(t, 0)), SEARCH_PAGE_MAX) for t in (*HS_OBJECTS, "deals"))
    links = sum(
        math.ceil(int(rows.get(t, 0)) / ASSOCIATION_BATCH_MAX) for t in (*HS_ENGAGEMENTS, "deals")
    )
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
    lookups = math.ceil(int(rows.get("unresolved", 0)) / BATCH_MAX) if full else 0
    reads = objects + links + marketing + archived + lookups
    return Minimum(reads, writes, 0, search=objects)


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
