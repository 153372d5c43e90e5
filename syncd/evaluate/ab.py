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

A converted lead kept as a record of its own (``syncd.evaluate.converted``)
is one person with the record it became, whose outcomes judge it: flagged
and first scored at the earlier of the two.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from syncd.core.outcomes import Outcome, OutcomeRule, first_positive
from syncd.evaluate.converted import converted_leads, earlier, fold_into

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


def _join(lead: Flag, flag: Flag | None, contact_id: str) -> Flag:
    if flag is None:
        return Flag(contact_id, lead.first_at, lead.mql_at)
    return Flag(contact_id, min(lead.first_at, flag.first_at), earlier(lead.mql_at, flag.mql_at))


def _one_per_person(flags: Sequence[Flag], outcomes: Mapping[str, Sequence[Outcome]]) -> list[Flag]:
    """``flags`` with each converted lead's flag joined to the flag of the
    record it became (the earlier first score and MQL date), under that
    record's id."""
    return fold_into(flags, lambda f: f.contact_id, converted_leads(outcomes), _join)


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
    flags = _one_per_person(flags, outcomes)
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
