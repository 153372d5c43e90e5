"""The tables `syncd demo` prints: pure functions from cycle reports, scored
results and the fakes' object counts to rich tables."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table

from connectors.salesforce.limits import COLLECTION_MAX, QUERY_PAGE_MAX
from syncd.core import ScoreResult
from syncd.sync import CycleReport, DryRunSummary

__all__ = [
    "CrmRun",
    "account_boost_table",
    "calls_table",
    "cycle_table",
    "matrix_table",
    "minimum_calls",
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
    object_counts: Mapping[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def minimum_calls(crm: str, counts: Mapping[str, int], written: int) -> tuple[int, int]:
    """The fewest read and write calls a full sync could make under the CRM's
    documented page and batch limits (``counts``: records per object in the CRM)."""
    if crm == "salesforce":
        reads = sum(math.ceil(max(counts.get(o, 0), 1) / QUERY_PAGE_MAX)
                    for o in SF_READ_OBJECTS)
        return reads, math.ceil(written / COLLECTION_MAX)
    raise ValueError(f"no call minimum known for {crm}")


def _calls(report: CycleReport, *kinds: str) -> int:
    return sum(n for k, n in report.api_calls.items() if k in kinds)


def cycle_table(title: str, runs: Sequence[tuple[str, CycleReport, float]]) -> Table:
    t = Table(title=title, title_justify="left")
    for col in ("connector", "status", "pulled", "scored", "written", "unchanged",
                "API calls", "seconds"):
        t.add_column(col, justify="left" if col in ("connector", "status") else "right")
    for name, r, seconds in runs:
        calls = ", ".join(f"{k} {n}" for k, n in sorted(r.api_calls.items()))
        t.add_row(name, r.status if not r.error else f"{r.status}: {r.error}", str(r.pulled),
                  str(r.scored), str(r.written), str(r.unchanged), calls or "0",
                  f"{seconds:.1f}")
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
                "used / minimum"):
        t.add_column(col, justify="left" if col == "connector" else "right")
    for run in runs:
        reads, writes = _calls(run.full, "read", "search"), _calls(run.full, "write")
        other = sum(run.full.api_calls.values()) - reads - writes
        min_reads, min_writes = minimum_calls(run.crm, run.object_counts, run.full.written)
        ratio = (reads + writes) / max(1, min_reads + min_writes)
        t.add_row(run.connector, str(reads), str(min_reads), str(writes), str(min_writes),
                  str(other), f"{ratio:.2f}x")
    t.caption = "other = logins and metadata (describe, field checks)"
    return t


def matrix_table(connector: str, summary: DryRunSummary, tiers: Sequence[str]) -> Table:
    """Tier transitions (rows: before, columns: after) of a dry run."""
    t = Table(title=f"{connector}: tier transitions (from -> to)", title_justify="left")
    def ordered(seen: set[str]) -> list[str]:
        return [x for x in tiers if x in seen] + sorted(seen - set(tiers))

    rows = ordered({a for a, _ in summary.transitions})
    cols = ordered({b for _, b in summary.transitions})
    t.add_column("from \\ to")
    for name in cols:
        t.add_column(name, justify="right")
    for a in rows:
        t.add_row(a, *(str(summary.transitions.get((a, b), 0) or ".") for b in cols))
    t.caption = (f"{summary.scored} rescored, {summary.would_write} would be written; "
                 f"{summary.into_mql} would cross into MQL, {summary.out_of_mql} out of it")
    return t
