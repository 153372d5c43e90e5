"""The fewest API calls and the least time the CRMs' documented limits allow
for one sync run, derived from the fake's object counts (bench_sync.py;
bench/README.md explains each formula). Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from connectors.hubspot.limits import (
    BATCH_MAX,
    BURST_PER_WINDOW,
    BURST_WINDOW_S,
    SEARCH_PER_SECOND,
)
from connectors.salesforce.limits import COLLECTION_MAX, QUERY_PAGE_MAX

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


def salesforce(rows: Mapping[str, int] | None, updates: int) -> Minimum:
    """``rows``: records per object the run must read (None: a run without reads,
    e.g. rescore-only); ``updates``: records whose syncd fields must change.

    reads  = Σ over Account, Lead, Contact, Task, Event, CampaignMember of
             max(1, ⌈rows / 2,000⌉)       (REST query page)
    writes = ⌈updates / 200⌉              (sObject Collections update)
    auth   = 1 login when the run calls the API at all.
    """
    reads = 0 if rows is None else sum(pages(rows.get(o, 0), QUERY_PAGE_MAX)
                                       for o in SF_OBJECTS)
    writes = math.ceil(updates / COLLECTION_MAX)
    return Minimum(reads, writes, 1 if reads or writes else 0)


def hubspot_writes(updates: int) -> int:
    """⌈updates / 100⌉ batch updates."""
    return math.ceil(updates / BATCH_MAX)


def rate_bound_s(crm: str, minimum: Minimum) -> dict[str, float]:
    """Seconds the minimum calls need under each request-rate limit that applies.

    HubSpot (pro): every call counts against the burst limit of 190 per 10 s,
    search calls also against about 5 per second. Salesforce has no request-rate
    limit (only the daily allocation), so no rate bound applies to it.
    """
    if crm != "hubspot":
        return {}
    burst = BURST_PER_WINDOW["pro"] / BURST_WINDOW_S
    bounds = {"burst": minimum.total / burst}
    if minimum.search:
        bounds["search"] = minimum.search / SEARCH_PER_SECOND
    return bounds


def latency_bound_s(minimum: Minimum, latency_ms: float) -> float:
    """Seconds the minimum calls take one after another at ``latency_ms`` each
    (pages of one query follow each other: each answer names the next page)."""
    return minimum.total * latency_ms / 1000.0
