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
    SEARCH_PAGE_MAX,
    SEARCH_PER_SECOND,
    SUBMISSIONS_PAGE_MAX,
    WEB_EVENTS_PAGE_MAX,
)
from connectors.salesforce.limits import COLLECTION_MAX, QUERY_PAGE_MAX

#: How far before a run's start a HubSpot pull stops (the connector's default
#: ``safety_lag``): records stamped later are read by the next cycle.
HUBSPOT_SAFETY_LAG_S: float = HubSpotOptions.model_fields["safety_lag"].default.total_seconds()
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


def hubspot(
    rows: Mapping[str, Any] | None, updates: int, accounts: int = 0, *, full: bool
) -> Minimum:
    """``rows``: what the run must read, by stream, as sync_fake.py counts it (None:
    a run without reads); ``updates``: contacts whose syncd properties must change.

    objects    companies, contacts: list ⌈n/100⌉ (full) or search ⌈n/200⌉ (incremental)
    engagements calls, emails, meetings, notes: the same, plus ⌈n/1,000⌉ v4
               association batch reads for their contacts
    email events ⌈n/1,000⌉, plus one campaign-name read per campaign with opens/clicks
    forms      ⌈forms/100⌉, plus ⌈n/50⌉ submission pages per form
    e-mails    ⌈distinct e-mails of events and submissions / 100⌉ batch reads to find
               their contacts (incremental only: a full pull has read every contact)
    page views Σ ⌈n/100⌉ web-analytics event pages over the contacts with page views in
               the window (read per contact, as issue 6 specifies: only for contacts
               whose page-view counter moved)
    archived   one archived-list page each for contacts and companies
    writes     ⌈updates/100⌉ contact + ⌈accounts/100⌉ company batch updates; auth 0
               (private-app token)
    Every stream costs at least one call: the client must ask to learn that nothing
    changed.
    """
    writes = math.ceil(updates / BATCH_MAX) + math.ceil(accounts / BATCH_MAX)
    if rows is None:
        return Minimum(0, writes, 0)
    page = LIST_PAGE_MAX if full else SEARCH_PAGE_MAX
    objects = sum(pages(int(rows[t]), page) for t in ("companies", "contacts", *HS_ENGAGEMENTS))
    links = sum(math.ceil(int(rows[t]) / ASSOCIATION_BATCH_MAX) for t in HS_ENGAGEMENTS)
    marketing = (
        pages(int(rows["email_events"]), EMAIL_EVENTS_PAGE_MAX)
        + int(rows["campaigns"])
        + pages(int(rows["forms"]), FORMS_PAGE_MAX)
        + sum(pages(int(n), SUBMISSIONS_PAGE_MAX) for n in rows["submissions"])
        + (0 if full else math.ceil(int(rows["emails"]) / BATCH_MAX))
        + sum(pages(int(n), WEB_EVENTS_PAGE_MAX) for n in rows["page_views"])
    )
    archived = 2
    reads = objects + links + marketing + archived
    return Minimum(reads, writes, 0, search=0 if full else objects)


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
