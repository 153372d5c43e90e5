"""The tables only `syncd demo` prints (the outcome tables are `syncd report`'s,
``syncd.reporting.terminal``): its cycles, the API calls the fakes recorded
against the fewest their data allows, and the dry run's tier transitions."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rich.table import Table

from connectors.hubspot import limits as hs
from connectors.salesforce.limits import COLLECTION_MAX, QUERY_PAGE_MAX
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.recorder import RecordedRequest
from syncd.sync import CycleReport, DryRunSummary

__all__ = [
    "CrmRun",
    "calls_table",
    "classify_calls",
    "cycle_table",
    "hubspot_minimum_reads",
    "matrix_notes",
    "matrix_table",
    "minimum_writes",
    "salesforce_minimum_reads",
]

#: Salesforce objects a full pull reads, each at most QUERY_PAGE_MAX rows per call
#: (the outcome objects only when the org has them).
SF_READ_OBJECTS = ("Account", "Lead", "Contact", "Task", "Event", "CampaignMember")
SF_OUTCOME_OBJECTS = ("Opportunity", "OpportunityContactRole")
#: HubSpot engagement objects the connector reads, and the e-mail event types
#: that can become activities (the rest are send-side).
HS_ENGAGEMENTS = ("calls", "emails", "meetings", "notes")
HS_ENGAGING_EVENTS = ("OPEN", "CLICK", "STATUSCHANGE")


@dataclass
class CrmRun:
    """One connector's part of the demo."""

    connector: str
    crm: str  # "hubspot" | "salesforce"
    full: CycleReport
    min_reads: int = 0
    #: Calls of the full cycle as the fake recorded them: reads, writes, the rest.
    calls: tuple[int, int, int] = (0, 0, 0)
    seconds: float = 0.0
    #: Rate-limit waits the demo's clock skipped during the full cycle.
    skipped_wait_s: float = 0.0


def _pages(n: int, size: int) -> int:
    """Calls to read ``n`` records ``size`` at a time; one even for none."""
    return max(1, math.ceil(n / size))


def salesforce_minimum_reads(counts: Mapping[str, int]) -> int:
    """The fewest query calls a full pull of these record counts can make: one
    stream per object, outcome objects only when the org has them."""
    objects = SF_READ_OBJECTS + tuple(o for o in SF_OUTCOME_OBJECTS if counts.get(o))
    return sum(_pages(counts.get(o, 0), QUERY_PAGE_MAX) for o in objects)


def hubspot_minimum_reads(app: HubSpotSandbox) -> int:
    """The fewest calls HubSpot's documented page and batch limits allow for an
    engine's first full pull of the fake portal's data (the floor bench/ states):
    companies and contacts by list pages, engagements and deals by search pages
    with one association batch read per 1,000 for their contacts, e-mail events
    by page (all types, or only the engaging ones when that takes fewer pages),
    the campaigns' names from the
    marketing e-mails list, forms and their submissions, portal-wide page views
    on Enterprise, one call to learn the portal's plan, and the archived
    contacts and companies."""
    store = app.store
    calls = sum(_pages(store.count(t), hs.LIST_PAGE_MAX) for t in ("companies", "contacts"))
    for kind in (*HS_ENGAGEMENTS, "deals"):
        n = store.count(kind)
        calls += _pages(n, hs.SEARCH_PAGE_MAX) + math.ceil(n / hs.ASSOCIATION_BATCH_MAX)
    events = store.email_events
    by_type = Counter(e.type for e in events)
    calls += min(
        _pages(len(events), hs.EMAIL_EVENTS_PAGE_MAX),
        sum(_pages(by_type[t], hs.EMAIL_EVENTS_PAGE_MAX) for t in HS_ENGAGING_EVENTS),
    )
    campaigns = {e.campaign_id for e in events if e.type in HS_ENGAGING_EVENTS}
    calls += math.ceil(len(campaigns) / hs.MARKETING_EMAILS_PAGE_MAX)
    forms = list(store.forms.values())
    calls += _pages(len(forms), hs.FORMS_PAGE_MAX)
    calls += sum(_pages(len(f.submissions), hs.SUBMISSIONS_PAGE_MAX) for f in forms)
    if app.plan == "enterprise":
        calls += _pages(len(store.page_views), hs.WEB_EVENTS_PAGE_MAX)
    return calls + 1 + 2  # the plan probe; archived contacts, archived companies


def classify_calls(crm: str, requests: Iterable[RecordedRequest]) -> tuple[int, int, int]:
    """(reads, writes, other) among the requests a fake recorded; other is
    logins and syncd's own field checks."""
    reads = writes = other = 0
    for r in requests:
        path = r.path
        if crm == "salesforce":
            is_read = "/query" in path or "/jobs/query" in path
            is_write = "/composite/sobjects" in path or "/jobs/ingest" in path
        else:
            is_write = r.method != "GET" and ("/batch/update" in path or "/batch/upsert" in path)
            is_read = not is_write and "/properties/" not in path and "/oauth/" not in path
        if is_write:
            writes += 1
        elif is_read:
            reads += 1
        else:
            other += 1
    return reads, writes, other


def minimum_writes(crm: str, contacts: int, accounts: int) -> int:
    """The fewest write calls for these contact and account updates in the
    CRM's largest batches (HubSpot batches one object type per call; a
    Salesforce sObject Collection may mix Leads, Contacts and Accounts)."""
    if crm == "hubspot":
        return math.ceil(contacts / hs.BATCH_MAX) + math.ceil(accounts / hs.BATCH_MAX)
    return math.ceil((contacts + accounts) / COLLECTION_MAX)


def cycle_table(title: str, runs: Sequence[tuple[str, CycleReport, float, float]]) -> Table:
    t = Table(title=title, title_justify="left")
    for col in (
        "connector",
        "status",
        "pulled",
        "scored",
        "written",
        "unchanged",
        "accounts",
        "API calls",
        "seconds",
    ):
        t.add_column(col, justify="left" if col in ("connector", "status") else "right")
    for name, r, seconds, _skipped in runs:
        calls = ", ".join(f"{k} {n}" for k, n in sorted(r.api_calls.items()))
        t.add_row(
            name,
            r.status if not r.error else f"{r.status}: {r.error}",
            str(r.pulled),
            str(r.scored),
            str(r.written),
            str(r.unchanged),
            str(r.accounts_written),
            calls or "0",
            f"{seconds:.1f}",
        )
    return t


def calls_table(runs: Sequence[CrmRun]) -> Table:
    t = Table(
        title="API calls of the full sync vs the minimum the limits allow", title_justify="left"
    )
    for col in (
        "connector",
        "reads",
        "min reads",
        "writes",
        "min writes",
        "other",
        "used / minimum",
        "rate-limit waits",
    ):
        t.add_column(col, justify="left" if col == "connector" else "right")
    for run in runs:
        reads, writes, other = run.calls
        min_writes = minimum_writes(run.crm, run.full.written, run.full.accounts_written)
        ratio = (reads + writes) / max(1, run.min_reads + min_writes)
        t.add_row(
            run.connector,
            str(reads),
            str(run.min_reads),
            str(writes),
            str(min_writes),
            str(other),
            f"{ratio:.2f}x",
            f"{run.skipped_wait_s:.0f}s",
        )
    t.caption = (
        "Calls as the fake CRM recorded them; other: logins and field checks. "
        "Rate-limit waits: how "
        "long the connector paced itself to stay within the CRM's limits; the demo's "
        "clock skips them, a real CRM would not."
    )
    return t


def matrix_table(summary: DryRunSummary, tiers: Sequence[str]) -> Table:
    """Tier transitions of a dry run (rows: before, columns: after), in tier order."""

    def ordered(seen: set[str]) -> list[str]:
        return [x for x in tiers if x in seen] + sorted(seen - set(tiers))

    rows = ordered({a for a, _ in summary.transitions})
    cols = ordered({b for _, b in summary.transitions})
    t = Table()
    t.add_column("from \\ to")
    for name in cols:
        t.add_column(name, justify="right")
    for a in rows:
        t.add_row(a, *(str(summary.transitions.get((a, b), 0) or ".") for b in cols))
    return t


def matrix_notes(summary: DryRunSummary) -> str:
    """What the matrix means in numbers, one or two lines."""
    text = (
        f"{summary.scored} rescored, {summary.would_write} would be written; "
        f"{summary.into_mql} would cross into MQL, {summary.out_of_mql} out of it"
    )
    if any("(none)" in pair for pair in summary.transitions):
        text += (
            "\n(none): no syncd values in the CRM (records syncd does not write, such as "
            "converted leads)"
        )
    return text
