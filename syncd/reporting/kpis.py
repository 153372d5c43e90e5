"""Funnel KPIs from scores and CRM outcomes: what sales and marketing agree on.

Pure: plain inputs (one ``LeadFacts`` per scored contact, the outcome rule, ``now``
and the time of the last model change), no store and no clock, so a test can check
every figure against a hand computation (records in ``kpi_types`` and ``kpi_change``).
Definitions (docs/outcomes.md):

- **converted**: the contact has an outcome meeting the rule's target (``opportunity``
  by default: an opportunity, customer or won deal) at any time. Per tier (the contact's
  current tier) and per score decile (decile 1 = the highest 10 % of current scores).
  The current score may already reflect activity after the conversion: this is a
  dashboard, not a leak-free test (``syncd backtest`` is).
- **MQL cohorts**: contacts with an MQL date (the cycle that first scored them MQL).
  MQL→SQL: an ``sql`` or later outcome (opportunity, customer, won) within the rule's
  window after the MQL date; MQL→target likewise with the target's outcomes. Only
  MQLs whose window has fully passed count (``maturing`` says how many are still
  inside it), so young cohorts do not look worse than they are.
- **cycle time**: median days from the MQL date to the first target outcome, over the
  MQLs converted within their window.
- **won amount**: the amount of each won outcome, counted once per outcome key (a deal
  shared by two contacts is not counted twice; it goes to the first contact by id).
- **moved**: the MQL-cohort figures for MQLs before and after ``model_changed_at``, and
  ``Change``: each contact in one period by its *entry* (MQL date, else first score;
  ``entry`` below), conversion within the window after entry per tier and decile and won
  amount per tier for each period's matured contacts, the before period ranked by the
  score and tier the old model last gave (``score_then``/``tier_then``), and the moves.
- **minimum data**: fewer than ``min_positives`` converted contacts (or cohorts smaller
  than ``min_cohort``) are reported with how many are needed and how many there are.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from syncd.core.outcomes import OutcomeRule, first_positive
from syncd.reporting.kpi_change import Change, Move, Period, moves
from syncd.reporting.kpi_types import Cohort, Group, LeadFacts, entry, group_json

__all__ = [
    "MIN_COHORT",
    "MIN_POSITIVES",
    "SQL_OR_LATER",
    "Change",
    "Cohort",
    "Group",
    "Kpis",
    "LeadFacts",
    "Move",
    "Period",
    "compute",
    "entry",
]

#: Converted contacts needed before conversion by tier and decile is worth reading.
MIN_POSITIVES = 20
#: Matured MQLs needed before a cohort rate is worth reading.
MIN_COHORT = 20
SQL_OR_LATER = frozenset({"sql", "opportunity", "customer", "won"})


@dataclass(frozen=True)
class Kpis:
    target: str
    window_days: float
    contacts: int
    positives: int
    by_tier: Sequence[Group]
    by_decile: Sequence[Group]
    cohort: Cohort
    model_changed_at: datetime | None = None
    before: Cohort | None = None
    after: Cohort | None = None
    notes: Sequence[str] = field(default_factory=list)
    change: Change | None = None

    @property
    def enough(self) -> bool:
        return self.positives >= MIN_POSITIVES

    def to_json(self) -> dict[str, Any]:
        group = group_json

        return {
            "target": self.target,
            "window_days": self.window_days,
            "contacts": self.contacts,
            "positives": self.positives,
            "enough": self.enough,
            "by_tier": [group(g) for g in self.by_tier],
            "by_decile": [group(g) for g in self.by_decile],
            "mql_cohort": self.cohort.to_json(),
            "model_changed_at": self.model_changed_at.isoformat()
            if self.model_changed_at
            else None,
            "before_change": self.before.to_json() if self.before else None,
            "after_change": self.after.to_json() if self.after else None,
            "since_change": self.change.to_json() if self.change else None,
            "notes": list(self.notes),
        }


def _won_amounts(leads: Sequence[LeadFacts]) -> dict[str, float]:
    """Won amount per contact id, each outcome key counted once (first contact by id)."""
    seen: set[str] = set()
    out: dict[str, float] = {}
    for lead in sorted(leads, key=lambda x: x.id):
        for o in lead.outcomes:
            if o.kind == "won" and o.key not in seen:
                seen.add(o.key)
                out[lead.id] = out.get(lead.id, 0.0) + (o.amount or 0.0)
    return out


def _groups(
    leads: Iterable[LeadFacts], label_of: Mapping[str, str], order: Sequence[str],
    converted: set[str], won: Mapping[str, float],
) -> list[Group]:  # fmt: skip
    counts: dict[str, list[float]] = {}
    for lead in leads:
        c = counts.setdefault(label_of[lead.id], [0, 0, 0.0])
        c[0] += 1
        c[1] += lead.id in converted
        c[2] += won.get(lead.id, 0.0)
    labels = [t for t in order if t in counts] + sorted(set(counts) - set(order))
    return [Group(t, int(counts[t][0]), int(counts[t][1]), counts[t][2]) for t in labels]


def _deciles(
    leads: Sequence[LeadFacts], converted: set[str], won: Mapping[str, float]
) -> list[Group]:
    ranked = sorted(leads, key=lambda x: (-x.score, x.id))
    n = len(ranked)
    parts = min(10, n)
    out = []
    for d in range(parts):
        chunk = ranked[math.floor(d * n / parts) : math.floor((d + 1) * n / parts)]
        ids = [x.id for x in chunk]
        out.append(
            Group(
                str(d + 1),
                len(chunk),
                sum(i in converted for i in ids),
                sum(won.get(i, 0.0) for i in ids),
                low=min(x.score for x in chunk),
                high=max(x.score for x in chunk),
            )
        )
    return out


def _cohort(
    leads: Sequence[LeadFacts], rule: OutcomeRule, now: datetime,
    won: Mapping[str, float], weeks: float | None,
) -> Cohort:  # fmt: skip
    mqls = maturing = sql = converted = 0
    cycles: list[float] = []
    for lead in leads:
        if lead.mql_at is None:
            continue
        if lead.mql_at + rule.window > now:
            maturing += 1
            continue
        mqls += 1
        end = lead.mql_at + rule.window
        if any(o.kind in SQL_OR_LATER and lead.mql_at <= o.at < end for o in lead.outcomes):
            sql += 1
        hit = first_positive(lead.outcomes, rule.target, after=lead.mql_at, before=end)
        if hit is not None:
            converted += 1
            cycles.append((hit.at - lead.mql_at) / timedelta(days=1))
    entered = sum(1 for x in leads if x.mql_at is not None)
    return Cohort(
        mqls=mqls,
        maturing=maturing,
        sql=sql,
        converted=converted,
        cycle_days=round(statistics.median(cycles), 1) if cycles else None,
        per_week=round(entered / weeks, 2) if weeks else None,
        won_amount=sum(won.get(x.id, 0.0) for x in leads if x.mql_at is not None),
    )


def _period(
    leads: Sequence[LeadFacts], rule: OutcomeRule, now: datetime, won: Mapping[str, float],
    tier_order: Sequence[str], weeks: float | None, needed: int,
) -> Period:  # fmt: skip
    matured = [x for x in leads if (e := entry(x)) is not None and e + rule.window <= now]
    converted = set()
    for x in matured:
        start = entry(x)
        assert start is not None
        if first_positive(x.outcomes, rule.target, after=start, before=start + rule.window):
            converted.add(x.id)
    tiers = {x.id: x.tier for x in matured}
    return Period(
        contacts=len(leads),
        matured=len(matured),
        positives=len(converted),
        by_tier=_groups(matured, tiers, tier_order, converted, won),
        by_decile=_deciles(matured, converted, won),
        cohort=_cohort(leads, rule, now, won, weeks),
        needed=needed,
    )


def _change(
    leads: Sequence[LeadFacts], rule: OutcomeRule, now: datetime, won: Mapping[str, float],
    tier_order: Sequence[str], at: datetime, needed: int,
) -> Change:  # fmt: skip
    """Split by entry (contacts with no known entry are left out), the before period
    seen through the old model's last score and tier."""
    early = [
        replace(x, score=x.score_then if x.score_then is not None else x.score,
                tier=x.tier_then if x.tier_then is not None else x.tier)
        for x in leads if (e := entry(x)) is not None and e < at
    ]  # fmt: skip
    late = [x for x in leads if (e := entry(x)) is not None and e >= at]
    before = _period(early, rule, now, won, tier_order, _weeks(early, None, at), needed)
    after = _period(late, rule, now, won, tier_order, _weeks(late, at, now), needed)
    return Change(at, before, after, moves(before, after))


def _weeks(leads: Sequence[LeadFacts], start: datetime | None, end: datetime) -> float | None:
    dates = [x.mql_at for x in leads if x.mql_at is not None]
    first = start if start is not None else min(dates, default=None)
    if first is None or end <= first:
        return None
    return max(1.0, (end - first) / timedelta(weeks=1))


def compute(
    leads: Sequence[LeadFacts],
    rule: OutcomeRule,
    *,
    now: datetime,
    tier_order: Sequence[str] = (),
    model_changed_at: datetime | None = None,
    min_period_positives: int = MIN_POSITIVES,
) -> Kpis:
    """Every KPI for ``leads`` under ``rule`` (see the module docstring)."""
    converted = {x.id for x in leads if first_positive(x.outcomes, rule.target) is not None}
    won = _won_amounts(leads)
    by_tier = _groups(leads, {x.id: x.tier for x in leads}, tier_order, converted, won)
    notes: list[str] = []
    if len(converted) < MIN_POSITIVES:
        notes.append(
            f"too few outcomes to judge conversion: {MIN_POSITIVES} contacts reaching "
            f"{rule.target} needed, {len(converted)} found"
        )
    cohort = _cohort(leads, rule, now, won, _weeks(leads, None, now))
    if cohort.mqls < MIN_COHORT:
        notes.append(
            f"too few MQLs with a full {rule.window.days}-day window to judge MQL→SQL: "
            f"{MIN_COHORT} needed, {cohort.mqls} found ({cohort.maturing} still maturing)"
        )
    change = None
    if model_changed_at is not None:
        change = _change(leads, rule, now, won, tier_order, model_changed_at, min_period_positives)
        for name, p in (("before", change.before), ("since", change.after)):
            if not p.enough:
                notes.append(
                    f"too few outcomes {name} the model change to judge conversion per tier "
                    f"and decile: {p.needed} contacts reaching {rule.target} within the "
                    f"window needed, {p.positives} found ({p.matured} of {p.contacts} matured)"
                )
    return Kpis(
        target=rule.target,
        window_days=rule.window / timedelta(days=1),
        contacts=len(leads),
        positives=len(converted),
        by_tier=by_tier,
        by_decile=_deciles(leads, converted, won),
        cohort=cohort,
        model_changed_at=model_changed_at,
        before=change.before.cohort if change else None,
        after=change.after.cohort if change else None,
        notes=notes,
        change=change,
    )
