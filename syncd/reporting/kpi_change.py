"""Every funnel KPI before and after the last model change, and how each moved
(``syncd.reporting.kpis`` computes the two periods; docs/outcomes.md defines them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syncd.reporting.kpi_types import Cohort, Group, group_json

__all__ = ["Change", "Move", "Period", "moves"]


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
            "by_tier": [group_json(g) for g in self.by_tier] if self.enough else None,
            "by_decile": [group_json(g) for g in self.by_decile] if self.enough else None,
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


def moves(before: Period, after: Period) -> list[Move]:
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
