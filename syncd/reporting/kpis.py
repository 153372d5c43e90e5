"""Funnel KPIs from scores and CRM outcomes: what sales and marketing agree on.

Pure: plain inputs (one ``LeadFacts`` per scored contact, the outcome rule, ``now`` and
the time of the last model change), no store and no clock, so a test can check every
figure against a hand computation. Definitions (docs/outcomes.md):

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

from syncd.core.outcomes import Outcome, OutcomeRule, first_positive

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


@dataclass(frozen=True, slots=True)
class LeadFacts:
    """One scored contact: its current score and tier, its MQL date, its outcomes, when
    it was first scored, and the score and tier it last had before the last model change
    (None when first scored after it)."""

    id: str
    score: int
    tier: str
    mql_at: datetime | None = None
    outcomes: tuple[Outcome, ...] = ()
    first_scored_at: datetime | None = None
    score_then: int | None = None
    tier_then: str | None = None


def entry(lead: LeadFacts) -> datetime | None:
    """When the contact entered the funnel: its MQL date, else its first score."""
    return lead.mql_at if lead.mql_at is not None else lead.first_scored_at


@dataclass(frozen=True, slots=True)
class Group:
    """Contacts of one tier or decile and how many converted."""

    label: str
    contacts: int
    converted: int
    won_amount: float = 0.0
    low: int | None = None
    high: int | None = None

    @property
    def rate(self) -> float | None:
        return self.converted / self.contacts if self.contacts else None


@dataclass(frozen=True, slots=True)
class Cohort:
    """MQL-cohort figures: matured MQLs, how many reached SQL and the target within
    their window, the median cycle time (days), MQLs per week, won amount."""

    mqls: int
    maturing: int
    sql: int
    converted: int
    cycle_days: float | None
    per_week: float | None
    won_amount: float

    @property
    def sql_rate(self) -> float | None:
        return self.sql / self.mqls if self.mqls else None

    @property
    def rate(self) -> float | None:
        return self.converted / self.mqls if self.mqls else None

    def to_json(self) -> dict[str, Any]:
        return {
            "mqls": self.mqls,
            "maturing": self.maturing,
            "mql_to_sql": self.sql_rate,
            "mql_to_target": self.rate,
            "median_cycle_days": self.cycle_days,
            "mqls_per_week": self.per_week,
            "won_amount": self.won_amount,
        }


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
        group = _group_json

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


def _group_json(g: Group) -> dict[str, Any]:
    out: dict[str, Any] = {
        "label": g.label,
        "contacts": g.contacts,
        "converted": g.converted,
        "rate": g.rate,
        "won_amount": g.won_amount,
    }
    if g.low is not None:
        out.update(low=g.low, high=g.high)
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


@dataclass(frozen=True, slots=True)
class Period:
    """Contacts that entered the funnel in one period (before or after the change):
    ``matured`` of them have a full window; ``positives`` of those converted in it."""

    contacts: int
    matured: int
    positives: int
    by_tier: Sequence[Group]
    by_decile: Sequence[Group]
    cohort: Cohort
    needed: int

    @property
    def enough(self) -> bool:
        return self.positives >= self.needed

    def to_json(self) -> dict[str, Any]:
        return {
            "contacts": self.contacts,
            "matured": self.matured,
            "positives": self.positives,
            "needed": self.needed,
            "enough": self.enough,
            "by_tier": [_group_json(g) for g in self.by_tier] if self.enough else None,
            "by_decile": [_group_json(g) for g in self.by_decile] if self.enough else None,
            "mql_cohort": self.cohort.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Move:
    """One KPI before and after the change; ``delta`` is after − before (in points for
    a rate); None on a side with too few outcomes (or no contacts) to judge."""

    kpi: str
    label: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        d = self.after - self.before
        return round(100 * d, 1) if self.kpi in _RATES else round(d, 2)

    def to_json(self) -> dict[str, Any]:
        return {"kpi": self.kpi, "label": self.label, "before": self.before,
                "after": self.after, "delta": self.delta}  # fmt: skip


_RATES = frozenset({"tier conversion", "decile conversion", "MQL → SQL", "MQL → target"})


@dataclass(frozen=True, slots=True)
class Change:
    """Every KPI before and after the last model change, and how each moved."""

    at: datetime
    before: Period
    after: Period
    moves: Sequence[Move]

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "moves": [m.to_json() for m in self.moves],
        }


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


def _moves(before: Period, after: Period) -> list[Move]:
    """Conversion per tier and decile and won amount per tier (None on a side with too
    few outcomes), then the MQL-cohort rates and the median cycle time."""

    def by(p: Period, groups: Sequence[Group]) -> dict[str, Group]:
        return {g.label: g for g in groups} if p.enough else {}

    out: list[Move] = []
    for kpi, attr in (("tier conversion", "by_tier"), ("decile conversion", "by_decile")):
        b, a = by(before, getattr(before, attr)), by(after, getattr(after, attr))
        labels = [g.label for g in getattr(before, attr)]
        labels += [g.label for g in getattr(after, attr) if g.label not in labels]
        for lbl in labels:
            out.append(Move(kpi, lbl, b[lbl].rate if lbl in b else None,
                            a[lbl].rate if lbl in a else None))  # fmt: skip
    b, a = by(before, before.by_tier), by(after, after.by_tier)
    for m in [m for m in out if m.kpi == "tier conversion"]:
        out.append(Move("tier won amount", m.label, b[m.label].won_amount if m.label in b else None,
                        a[m.label].won_amount if m.label in a else None))  # fmt: skip
    bc, ac = before.cohort, after.cohort
    return [
        *out,
        Move("MQL → SQL", "", bc.sql_rate, ac.sql_rate),
        Move("MQL → target", "", bc.rate, ac.rate),
        Move("median cycle days", "", bc.cycle_days, ac.cycle_days),
    ]


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
    return Change(at, before, after, _moves(before, after))


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
