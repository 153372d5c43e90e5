"""Suggested MQL thresholds: the trade-off between volume and precision.

A threshold ``t`` flags every contact whose exact score is at least ``t``
(disqualified contacts never). Volume per week is the flagged count over the
weeks of the replayed period (the caller says how many: ``syncd backtest``
uses the outcome window, the time in which sales would work the contacts
flagged at the cut). The suggestion for a capacity is the lowest threshold
whose weekly volume fits it (the most converters sales can take); for a
target precision, the lowest threshold whose precision reaches it (the most
converters at that precision). A suggestion changes nothing: the operator
edits the model's tiers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .metrics import EvalRow

__all__ = ["TradeOff", "suggest_for_capacity", "suggest_for_precision", "table_rows", "trade_offs"]


@dataclass(frozen=True, slots=True)
class TradeOff:
    threshold: int
    mqls: int
    per_week: float
    precision: float
    recall: float


def trade_offs(rows: Sequence[EvalRow], weeks: float) -> list[TradeOff]:
    """One row per integer threshold from the lowest to the highest finite
    score (rounded up), ascending; volume falls as the threshold rises."""
    finite = sorted((r.exact, r.positive) for r in rows if math.isfinite(r.exact))
    if not finite or weeks <= 0:
        return []
    all_pos = sum(1 for r in rows if r.positive)
    lo, hi = math.ceil(finite[0][0]), math.ceil(finite[-1][0])
    out = []
    i = 0
    above = len(finite)
    above_pos = sum(1 for _s, y in finite if y)
    for t in range(lo, hi + 1):
        while i < len(finite) and finite[i][0] < t:
            above -= 1
            above_pos -= 1 if finite[i][1] else 0
            i += 1
        out.append(
            TradeOff(
                t,
                above,
                above / weeks,
                above_pos / above if above else 0.0,
                above_pos / all_pos if all_pos else 0.0,
            )
        )
    return out


def suggest_for_capacity(table: Sequence[TradeOff], per_week: float) -> TradeOff | None:
    """The lowest threshold flagging at most ``per_week`` contacts a week
    and at least one; None when none does."""
    for row in table:
        if row.mqls > 0 and row.per_week <= per_week:
            return row
    return None


def suggest_for_precision(table: Sequence[TradeOff], precision: float) -> TradeOff | None:
    """The lowest threshold whose precision reaches ``precision``."""
    for row in table:
        if row.mqls and row.precision >= precision:
            return row
    return None


def table_rows(
    table: Sequence[TradeOff], marks: Sequence[TradeOff | None], rows: int = 12
) -> list[TradeOff]:
    """About ``rows`` rows of ``table`` for display: evenly spread over
    the thresholds, always with the ``marks`` (the suggestions)."""
    if len(table) <= rows:
        return list(table)
    step = max(1, len(table) // rows)
    keep = {id(r) for r in table[::step]} | {id(m) for m in marks if m is not None}
    return [r for r in table if id(r) in keep]
