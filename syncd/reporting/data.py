"""What ``syncd report`` shows, gathered from the state store into plain data
(``ConnectorReport``) that the terminal and HTML renderers share.

The API-call "floor" is the one minimum the stored runs determine exactly: the
fewest **write** calls that could have carried the records a run wrote, given
the CRM's largest write batch (HubSpot: 100 records of one object type per
call; Salesforce: 200 records of any type per sObject Collection). Reads have
no floor here: their minimum depends on how many records of each kind the CRM
holds, which the state store does not know.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from connectors.hubspot.limits import BATCH_MAX as HUBSPOT_BATCH_MAX
from connectors.salesforce.limits import COLLECTION_MAX
from syncd.core import CompiledModel
from syncd.core.outcomes import OutcomeRule
from syncd.reporting.kpis import Kpis, compute
from syncd.reporting.outcome_data import lead_facts, model_changed_at
from syncd.state.reports import (
    UNSCORED,
    AccountRow,
    LeadRow,
    LedgerCounts,
    RunRecord,
    account_rows,
    ledger_counts,
    mql_days,
    run_records,
    score_counts,
    tier_counts,
    top_leads,
)

__all__ = [
    "ConnectorReport",
    "Threshold",
    "gather",
    "histogram_bins",
    "minimum_writes",
    "thresholds_of",
    "week_of",
    "weekly",
]

#: Width of the score histogram's bins, in points.
BIN_WIDTH = 5


@dataclass(frozen=True, slots=True)
class Threshold:
    """A tier and the exact score it starts at (the lowest tier has none)."""

    tier: str
    min: float | None
    mql: bool


@dataclass(frozen=True)
class ConnectorReport:
    """One connector's outcome as the state store holds it."""

    connector: str
    crm: str
    generated_at: datetime
    since: datetime | None
    model: str | None
    thresholds: Sequence[Threshold]
    tiers: Mapping[str, int]
    scores: Mapping[int, int]
    mql_weeks: Sequence[tuple[date, int]]
    leads: Sequence[LeadRow]
    accounts: Sequence[AccountRow]
    accounts_scored: int
    ledger: LedgerCounts
    runs: Sequence[RunRecord] = field(default_factory=list)
    #: Funnel KPIs from the CRM outcomes (``syncd.reporting.kpis``).
    kpis: Kpis | None = None

    @property
    def tier_order(self) -> list[str]:
        """Tiers from the top down as the model orders them, then any others
        found in the store (a previous model's, ``disqualified``, unscored)."""
        named = [t.tier for t in reversed(self.thresholds)]
        rest = sorted(set(self.tiers) - set(named) - {UNSCORED})
        return named + rest + ([UNSCORED] if UNSCORED in self.tiers else [])

    @property
    def contacts(self) -> int:
        return sum(self.tiers.values())

    def totals(self) -> dict[str, int]:
        """Sums over the reported runs' counts."""
        keys = (
            "pulled",
            "scored",
            "written",
            "accounts_written",
            "drift_repaired",
            "write_failures",
            "dead_letters",
        )
        return {k: sum(r.count(k) for r in self.runs) for k in keys}

    def to_json(self) -> dict[str, Any]:
        """The report's figures as JSON-ready data."""
        return {
            "connector": self.connector,
            "crm": self.crm,
            "model": self.model,
            "since": self.since.isoformat() if self.since else None,
            "contacts": self.contacts,
            "tiers": {t: self.tiers.get(t, 0) for t in self.tier_order},
            "thresholds": [{"tier": t.tier, "min": t.min, "mql": t.mql} for t in self.thresholds],
            "score_bins": [{"from": b, "contacts": n} for b, n in histogram_bins(self.scores)],
            "mql_weeks": [{"week": w.isoformat(), "mqls": n} for w, n in self.mql_weeks],
            "top_leads": [
                {
                    "id": x.id,
                    "score": x.score,
                    "tier": x.tier,
                    "reasons": x.reasons,
                    "title": x.title,
                    "company": x.company,
                }
                for x in self.leads
            ],
            "accounts": [
                {
                    "id": a.id,
                    "name": a.name,
                    "score": a.score,
                    "priority": a.priority,
                    "contacts": a.contacts,
                    "summary": a.summary,
                }
                for a in self.accounts
            ],
            "accounts_scored": self.accounts_scored,
            "ledger": {
                "pending": self.ledger.pending,
                "drift": self.ledger.drift,
                "dead": self.ledger.dead,
                "accounts_pending": self.ledger.accounts_pending,
                "accounts_dead": self.ledger.accounts_dead,
            },
            "runs": [
                {
                    "run_id": x.run_id,
                    "kind": x.kind,
                    "status": x.status,
                    "started_at": x.started_at.isoformat(),
                    "seconds": x.seconds,
                    "api_calls": x.calls,
                    "write_floor": minimum_writes(
                        self.crm, x.count("written"), x.count("accounts_written")
                    ),
                }
                for x in self.runs
            ],
            "totals": self.totals(),
            "kpis": self.kpis.to_json() if self.kpis else None,
        }


def minimum_writes(crm: str, contacts: int, accounts: int) -> int | None:
    """The fewest write calls for these contact and account updates in the
    CRM's largest batches; None for a CRM whose batch rules are not known."""
    if crm == "hubspot":
        return math.ceil(contacts / HUBSPOT_BATCH_MAX) + math.ceil(accounts / HUBSPOT_BATCH_MAX)
    if crm == "salesforce":
        return math.ceil((contacts + accounts) / COLLECTION_MAX)
    return None


def week_of(day: date) -> date:
    """The Monday starting ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def weekly(
    days: Mapping[str, int], since: datetime | None, now: datetime
) -> list[tuple[date, int]]:
    """Counts by ISO week (Monday), every week from the first (``since``'s, else
    the first day with a count) to ``now``'s, empty weeks included."""
    counts: dict[date, int] = {}
    for text, n in days.items():
        week = week_of(date.fromisoformat(text))
        counts[week] = counts.get(week, 0) + n
    if not counts and since is None:
        return []
    first = week_of(since.date()) if since is not None else min(counts)
    last = max([week_of(now.date()), *counts])
    out = []
    week = first
    while week <= last:
        out.append((week, counts.get(week, 0)))
        week += timedelta(days=7)
    return out


def histogram_bins(scores: Mapping[int, int], width: int = BIN_WIDTH) -> list[tuple[int, int]]:
    """(bin start, contacts) for every ``width``-point bin from the lowest
    score's to the highest's, empty bins included."""
    if not scores:
        return []
    lo = (min(scores) // width) * width
    hi = (max(scores) // width) * width
    bins = dict.fromkeys(range(lo, hi + width, width), 0)
    for score, n in scores.items():
        bins[(score // width) * width] += n
    return sorted(bins.items())


def gather(
    engine: sa.Engine,
    connector: str,
    crm: str,
    *,
    now: datetime,
    thresholds: Sequence[Threshold] = (),
    model: str | None = None,
    since: datetime | None = None,
    top: int = 10,
    last_runs: int = 50,
    outcome: OutcomeRule | None = None,
) -> ConnectorReport:
    """Read one connector's report from the state store (reads only); ``outcome``
    (default: an opportunity within 90 days) decides what the KPIs count."""
    accounts, scored = account_rows(engine, connector, top)
    tiers = tier_counts(engine, connector)
    named = [t.tier for t in reversed(list(thresholds))]
    changed = model_changed_at(engine, connector)
    kpis = compute(
        lead_facts(engine, connector, changed),
        outcome or OutcomeRule(),
        now=now,
        tier_order=named + sorted(set(tiers) - set(named)),
        model_changed_at=changed,
    )
    return ConnectorReport(
        connector=connector,
        crm=crm,
        generated_at=now,
        since=since,
        model=model,
        thresholds=list(thresholds),
        tiers=tiers,
        scores=score_counts(engine, connector),
        mql_weeks=weekly(mql_days(engine, connector, since), since, now),
        leads=top_leads(engine, connector, top),
        accounts=accounts,
        accounts_scored=scored,
        ledger=ledger_counts(engine, connector),
        runs=list(reversed(run_records(engine, connector, since=since, last=last_runs))),
        kpis=kpis,
    )


def thresholds_of(model: CompiledModel) -> list[Threshold]:
    """The model's tiers from the lowest up, each with the score it starts at."""
    t = model.tiering
    return [
        Threshold(name, None if i == 0 else float(t.mins[i]), i >= t.mql_rank)
        for i, name in enumerate(t.names)
    ]
