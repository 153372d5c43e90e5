"""Evaluating scoring models against outcomes (``syncd backtest``, the
shadow-model comparison in ``syncd report``).

Pure like ``syncd.core`` (which is all it imports): no I/O, no clock; the cut
date and the outcomes are arguments.

    replay.as_of_contact(contact, cut_ts, exclusions)  -> the contact as it was
    replay.label(outcomes, rule, cut)                   -> "before" | True | False
    metrics.evaluate(model_ref, rows, tiers, weeks)     -> ModelEvaluation
    thresholds.trade_offs(rows, weeks), suggest(...)    -> suggested MQL threshold
    rules.rule_stats(rows)                              -> per-rule conversion, suggested points
"""

from .metrics import Decile, EvalRow, ModelEvaluation, TierStat, deciles, evaluate, roc_auc
from .replay import (
    DEFAULT_EXCLUDED,
    Exclusions,
    MinimumData,
    as_of_contact,
    label,
    minimum_data_problem,
)
from .rules import RuleStat, leaks, rule_stats
from .thresholds import TradeOff, suggest_for_capacity, suggest_for_precision, trade_offs

__all__ = [
    "DEFAULT_EXCLUDED",
    "Decile",
    "EvalRow",
    "Exclusions",
    "MinimumData",
    "ModelEvaluation",
    "RuleStat",
    "TierStat",
    "TradeOff",
    "as_of_contact",
    "deciles",
    "evaluate",
    "label",
    "leaks",
    "minimum_data_problem",
    "roc_auc",
    "rule_stats",
    "suggest_for_capacity",
    "suggest_for_precision",
    "trade_offs",
]
