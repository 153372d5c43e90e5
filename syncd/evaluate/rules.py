"""Per-rule evidence: how often each rule fired, the conversion when it
fired and when it did not, a suggested point value, and the leakage check.

Suggested points are scaled log-odds: ``10 * log2(odds ratio)``, i.e. 10
points for every doubling of the odds of converting when the rule fires
(each count gets 0.5 added, so a rule that never fired with a converter still
gets a finite value). It is a *suggestion* from one replay, shown next to
the model's own points; nothing is changed unless the operator edits the
model. Rules that fired fewer than ``MIN_FIRES`` times (or for every contact)
get no suggestion.

Leakage: a rule whose single-rule ROC-AUC (``(1 + TPR - FPR) / 2`` for a
yes/no signal) is at least ``LEAK_AUC`` - or at most ``1 - LEAK_AUC``, for a
rule that fires for non-converters only - separates the outcomes almost
perfectly on its own: at 0.95, firing for 95% of converters and 5% of the
others is the boundary. That is rarely a real signal; usually the rule tests
a field written after the outcome.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .metrics import EvalRow

__all__ = ["LEAK_AUC", "MIN_FIRES", "POINTS_PER_DOUBLING", "RuleStat", "leaks", "rule_stats"]

MIN_FIRES = 5
POINTS_PER_DOUBLING = 10
LEAK_AUC = 0.95


@dataclass(frozen=True, slots=True)
class RuleStat:
    rule: str
    fires: int
    fires_positive: int
    rate_when: float
    rate_not: float
    auc: float
    suggested_points: int | None


def _suggest(fp: int, fn: int, np_: int, nn: int) -> int | None:
    """``fp``/``fn``: converters with/without the rule; ``np_``/``nn``:
    non-converters with/without it."""
    if fp + fn + np_ + nn == 0:
        return None
    odds_ratio = ((fp + 0.5) * (nn + 0.5)) / ((np_ + 0.5) * (fn + 0.5))
    return round(POINTS_PER_DOUBLING * math.log2(odds_ratio))


def rule_stats(rows: Sequence[EvalRow]) -> list[RuleStat]:
    """Every rule that fired for at least one contact, by rule id."""
    total = len(rows)
    pos = sum(1 for r in rows if r.positive)
    neg = total - pos
    fired: dict[str, list[int]] = {}
    for r in rows:
        for rule in r.rules:
            counts = fired.setdefault(rule, [0, 0])
            counts[0] += 1
            counts[1] += 1 if r.positive else 0
    out = []
    for rule in sorted(fired):
        fires, fires_pos = fired[rule]
        rest, rest_pos = total - fires, pos - fires_pos
        tpr = fires_pos / pos if pos else 0.0
        fpr = (fires - fires_pos) / neg if neg else 0.0
        enough = fires >= MIN_FIRES and rest > 0
        out.append(
            RuleStat(
                rule,
                fires,
                fires_pos,
                fires_pos / fires,
                rest_pos / rest if rest else 0.0,
                (1 + tpr - fpr) / 2,
                _suggest(fires_pos, rest_pos, fires - fires_pos, rest - rest_pos)
                if enough
                else None,
            )
        )
    return out


def leaks(stats: Sequence[RuleStat]) -> list[RuleStat]:
    """The rules that alone separate the outcomes almost perfectly."""
    return [s for s in stats if s.auc >= LEAK_AUC or s.auc <= 1 - LEAK_AUC]
