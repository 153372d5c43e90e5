"""Champion vs challenger on the outcomes that arrive: each model's MQL
flags (when the model first flagged each contact) judged by the positive
outcomes that followed.

For one model: ``mqls`` are the contacts it flagged; a flagged contact
*converted* when a positive outcome came at or after the flag and within the
window (``precision`` = converted / flagged, counting only flags whose window
has ended or that converted, so young flags do not count as misses);
``converters`` are the contacts the model scored before their positive
outcome, ``caught`` those it had flagged before it (``recall``), and
``median_lead_days`` the median days from flag to outcome of the caught.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from syncd.core.outcomes import Outcome, OutcomeRule, first_positive

__all__ = ["Flag", "ModelAB", "compare_flags"]


@dataclass(frozen=True, slots=True)
class Flag:
    contact_id: str
    first_at: datetime
    mql_at: datetime | None


@dataclass(frozen=True, slots=True)
class ModelAB:
    model: str
    live: bool
    scored: int
    mqls: int
    judged_mqls: int
    converted: int
    converters: int
    caught: int
    median_lead_days: float | None

    @property
    def precision(self) -> float | None:
        return self.converted / self.judged_mqls if self.judged_mqls else None

    @property
    def recall(self) -> float | None:
        return self.caught / self.converters if self.converters else None


def compare_flags(
    model: str,
    live: bool,
    flags: Sequence[Flag],
    outcomes: Mapping[str, Sequence[Outcome]],
    rule: OutcomeRule,
    now: datetime,
) -> ModelAB:
    mqls = judged = converted = converters = caught = 0
    leads: list[float] = []
    for f in flags:
        items = outcomes.get(f.contact_id, ())
        after_first = first_positive(items, rule.target, after=f.first_at)
        if after_first is not None:
            converters += 1
        if f.mql_at is None:
            continue
        mqls += 1
        hit = rule.converted(items, f.mql_at)
        if hit is not None:
            converted += 1
            judged += 1
        elif f.mql_at + rule.window <= now:
            judged += 1
        if after_first is not None and f.mql_at <= after_first.at:
            caught += 1
            leads.append((after_first.at - f.mql_at).total_seconds() / 86400)
    return ModelAB(
        model,
        live,
        len(flags),
        mqls,
        judged,
        converted,
        converters,
        caught,
        statistics.median(leads) if leads else None,
    )
