"""The tables `syncd demo` prints: pure functions from cycle reports, scored
results and the fakes' object counts to rich tables."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table

from connectors.hubspot import limits as hs
from connectors.salesforce.limits import COLLECTION_MAX, QUERY_PAGE_MAX
from syncd.core import ScoreResult
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.recorder import RecordedRequest
from syncd.sync import CycleReport, DryRunSummary

__all__ = [
    "CrmRun",
    "account_boost_table",
    "calls_table",
    "classify_calls",
    "cycle_table",
    "hubspot_minimum_reads",
    "matrix_notes",
    "matrix_table",
    "minimum_writes",
    "salesforce_minimum_reads",
    "tier_table",
    "top_leads_table",
]

#: Salesforce objects a full pull reads, each at most QUERY_PAGE_MAX rows per call.
SF_READ_OBJECTS = ("Account", "Lead", "Contact", "Task", "Event", "CampaignMember")


@dataclass
class CrmRun:
    """One connector's part of the demo."""

    connector: str
    crm: str  # "hubspot" | "salesforce"
    full: CycleReport
    results: list[ScoreResult] = field(default_factory=list)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    min_reads: int = 0
    #: Calls of the full cycle as the fake recorded them: reads, writes, the rest.
    calls: tuple[int, int, int] = (0, 0, 0)
    seconds: float = 0.0
    #: Rate-limit waits the demo's clock skipped during the full cycle.
    skipped_wait_s: float = 0.0


def salesforce_minimum_reads(counts: Mapping[str, int]) -> int:
    """The fewest query calls a full pull of these record counts can make."""
    return sum(math.ceil(max(counts.get(o, 0), 1) / QUERY_PAGE_MAX) for o in SF_READ_OBJECTS)


def hubspot_minimum_reads(app: HubSpotSandbox) -> int:
    """The fewest calls HubSpot's documented page and batch limits allow for a
    full pull of the fake portal's data (as the connector's call-economy test
    counts them): list pages, association batches, e-mail events, campaign
    names, forms and submissions, contact look-ups by e-mail, and web
    analytics events, which HubSpot serves per contact."""
    store, ceil = app.store, math.ceil
    calls = (ceil(store.count("companies") / hs.LIST_PAGE_MAX) or 1)
    calls += ceil(store.count("contacts") / hs.LIST_PAGE_MAX) or 1
    for kind in ("calls", "emails", "meetings", "notes"):
        n = store.count(kind)
        calls += (ceil(n / hs.LIST_PAGE_MAX) or 1) + ceil(n / hs.ASSOCIATION_BATCH_MAX)
    events = store.email_events
    calls += ceil(len(events) / hs.EMAIL_EVENTS_PAGE_MAX) or 1
    engaging = [e for e in events if e.type in ("OPEN", "CLICK", "STATUSCHANGE")]
    calls += len({e.campaign_id for e in engaging})
    emails = {e.recipient for e in engaging if not e.filtered}
    forms = list(store.forms.values())
    calls += ceil(len(forms) / hs.FORMS_PAGE_MAX) or 1
    for form in forms:
        calls += ceil(len(form.submissions) / hs.SUBMISSIONS_PAGE_MAX) or 1
        values = (v for sub in form.submissions for v in sub["values"])
        emails |= {v["value"] for v in values if v["name"] == "email"}
    calls += ceil(len(emails) / hs.BATCH_MAX)
    views = Counter(v.contact_id for v in store.page_views)
    calls += sum(ceil(n / hs.WEB_EVENTS_PAGE_MAX) for n in views.values())
    return calls + 2  # archived contacts, archived companies


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
    for col in ("connector", "status", "pulled", "scored", "written", "unchanged",
                "accounts", "API calls", "seconds"):
        t.add_column(col, justify="left" if col in ("connector", "status") else "right")
    for name, r, seconds, _skipped in runs:
        calls = ", ".join(f"{k} {n}" for k, n in sorted(r.api_calls.items()))
        t.add_row(name, r.status if not r.error else f"{r.status}: {r.error}", str(r.pulled),
                  str(r.scored), str(r.written), str(r.unchanged), str(r.accounts_written),
                  calls or "0", f"{seconds:.1f}")
    return t


def tier_table(runs: Sequence[CrmRun], tiers: Sequence[str]) -> Table:
    t = Table(title="Contacts per tier", title_justify="left")
    t.add_column("tier")
    counts = {run.connector: Counter(r.tier for r in run.results) for run in runs}
    for run in runs:
        t.add_column(run.connector, justify="right")
    names = list(tiers) + sorted({k for c in counts.values() for k in c} - set(tiers))
    for tier in names:
        t.add_row(tier, *(str(counts[run.connector].get(tier, 0)) for run in runs))
    t.add_row("[bold]total[/bold]", *(str(len(run.results)) for run in runs))
    return t


def _who(contact: Mapping[str, Any]) -> str:
    props = contact.get("properties") or {}
    account = contact.get("account") or {}
    title = str(props.get("title") or "").strip()
    company = str(account.get("name") or contact.get("company") or "").strip()
    return " · ".join(p for p in (title, company) if p) or str(contact.get("email") or "")


def _reasons(result: ScoreResult, limit: int = 3) -> str:
    parts = [f"{r.rule} {r.points:+.3g}" for r in result.reasons[:limit]]
    more = len(result.reasons) - limit
    return ", ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def top_leads_table(runs: Sequence[CrmRun], n: int = 10) -> Table:
    t = Table(title=f"Top {n} leads", title_justify="left")
    for col in ("connector", "id", "who", "score", "tier", "why (top reasons)"):
        t.add_column(col, justify="right" if col == "score" else "left",
                     overflow="fold")
    ranked = sorted(((r.exact, run, r) for run in runs for r in run.results
                     if not r.disqualified), key=lambda x: (-x[0], x[2].id))
    for _exact, run, r in ranked[:n]:
        t.add_row(run.connector, r.id, _who(run.contacts.get(r.id, {})), str(r.score), r.tier,
                  _reasons(r))
    return t


def account_boost_table(runs: Sequence[CrmRun], n: int = 10) -> Table:
    """Accounts whose contacts got account-level points (buying committee,
    priority account), biggest total boost first."""
    t = Table(title="Accounts with account-level boosts", title_justify="left")
    for col in ("connector", "account", "contacts boosted", "boosts", "points", "priority"):
        t.add_column(col, justify="right" if col in ("contacts boosted", "points") else "left")
    rows: list[tuple[float, str, str, int, str, bool]] = []
    for run in runs:
        by_key: dict[str, list[ScoreResult]] = defaultdict(list)
        for r in run.results:
            if r.account_key and any(x.component == "account" for x in r.reasons):
                by_key[r.account_key].append(r)
        for key, members in by_key.items():
            fired = Counter(x.rule for r in members for x in r.reasons if x.component == "account")
            points = sum(x.points for r in members for x in r.reasons if x.component == "account")
            name = next((str((run.contacts.get(r.id, {}).get("account") or {}).get("name") or "")
                         for r in members), "") or key
            rows.append((points, run.connector, name, len(members),
                         ", ".join(f"{rule} x{c}" for rule, c in fired.most_common()),
                         any(r.priority for r in members)))
    rows.sort(key=lambda x: (-x[0], x[1], x[2]))
    for points, connector, name, count, rules, priority in rows[:n]:
        t.add_row(connector, name, str(count), rules, f"{points:g}", "yes" if priority else "")
    total = len(rows)
    if total > n:
        t.caption = f"{total} accounts boosted in all; the {n} with the most points shown"
    return t


def calls_table(runs: Sequence[CrmRun]) -> Table:
    t = Table(title="API calls of the full sync vs the minimum the limits allow",
              title_justify="left")
    for col in ("connector", "reads", "min reads", "writes", "min writes", "other",
                "used / minimum", "rate-limit waits"):
        t.add_column(col, justify="left" if col == "connector" else "right")
    for run in runs:
        reads, writes, other = run.calls
        min_writes = minimum_writes(run.crm, run.full.written, run.full.accounts_written)
        ratio = (reads + writes) / max(1, run.min_reads + min_writes)
        t.add_row(run.connector, str(reads), str(run.min_reads), str(writes), str(min_writes),
                  str(other), f"{ratio:.2f}x", f"{run.skipped_wait_s:.0f}s")
    t.caption = ("Calls as the fake CRM recorded them; other: logins and field checks. "
                 "Rate-limit waits: how "
                 "long the connector paced itself to stay within the CRM's limits; the demo's "
                 "clock skips them, a real CRM would not.")
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
    text = (f"{summary.scored} rescored, {summary.would_write} would be written; "
            f"{summary.into_mql} would cross into MQL, {summary.out_of_mql} out of it")
    if any("(none)" in pair for pair in summary.transitions):
        text += ("\n(none): no syncd values in the CRM (records syncd does not write, such as "
                 "converted leads)")
    return text
