"""The plain records the funnel KPIs (``syncd.reporting.kpis``) are computed from and
made of: one scored contact's facts, a tier or decile group, an MQL cohort."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syncd.core.outcomes import Outcome

__all__ = ["Cohort", "Group", "LeadFacts", "entry", "group_json"]


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


def group_json(g: Group) -> dict[str, Any]:
    """One group as JSON (with its score range for a decile)."""
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
