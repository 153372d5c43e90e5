"""One model judged on a ``Replay``: scored at the cut, every metric,
per-rule evidence and the suggested thresholds (``syncd.evaluate``), and
the JSON ``syncd backtest --json`` prints for it."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from syncd.cli.backtest_sources import Replay
from syncd.core import CompiledModel, score_batch
from syncd.core.routing import Router
from syncd.evaluate import (
    EvalRow,
    ModelEvaluation,
    RuleStat,
    TradeOff,
    evaluate,
    leaks,
    rule_stats,
    suggest_for_capacity,
    suggest_for_precision,
    trade_offs,
)

__all__ = ["Judged", "judge", "segment_replays", "to_json"]


@dataclass(frozen=True, slots=True)
class Judged:
    evaluation: ModelEvaluation
    #: The model's own points per rule id (for the suggestion's comparison).
    points: dict[str, float]
    rules: list[RuleStat]
    leaks: list[RuleStat]
    weeks: float
    table: list[TradeOff]
    for_capacity: TradeOff | None
    for_precision: TradeOff | None
    capacity: float | None
    precision: float | None

    @property
    def suggested(self) -> TradeOff | None:
        return self.for_capacity if self.capacity is not None else self.for_precision


def _rows(model: CompiledModel, replay: Replay) -> list[EvalRow]:
    results = score_batch(model, replay.contacts, replay.cut)
    return [
        EvalRow(
            r.id,
            -math.inf if r.disqualified else r.exact,
            r.tier,
            r.mql,
            frozenset(x.rule for x in r.reasons),
            replay.labels[r.id],
        )
        for r in results
        if r.id in replay.labels
    ]


def segment_replays(router: Router, replay: Replay) -> list[tuple[int, Replay]]:
    """One replay per route of ``router`` that has judged contacts: every
    contact still scored (account-level signals need the account-mates of
    other segments), only the route's own contacts judged."""
    by_route: dict[int, dict[str, bool]] = {}
    for c in replay.contacts:
        if c.id in replay.labels:
            by_route.setdefault(router.index(c), {})[c.id] = replay.labels[c.id]
    return [(i, replace(replay, labels=labels)) for i, labels in sorted(by_route.items())]


def _model_points(model: CompiledModel) -> dict[str, float]:
    return {r.id: float(r.points) for r in model.spec.rules}


def judge(
    model: CompiledModel,
    replay: Replay,
    capacity: float | None,
    precision: float | None,
    segment: str | None = None,
) -> Judged:
    """``model`` judged on ``replay``'s labelled contacts; with ``segment``
    (a route's description), the result is named ``ref [segment]``."""
    rows = _rows(model, replay)
    weeks = replay.rule.window.total_seconds() / (7 * 86400)
    stats = rule_stats(rows)
    table = trade_offs(rows, weeks)
    return Judged(
        evaluation=evaluate(
            model.ref if segment is None else f"{model.ref} [{segment}]", rows, model.tier_names
        ),
        points=_model_points(model),
        rules=stats,
        leaks=leaks(stats),
        weeks=weeks,
        table=table,
        for_capacity=None if capacity is None else suggest_for_capacity(table, capacity),
        for_precision=None if precision is None else suggest_for_precision(table, precision),
        capacity=capacity,
        precision=precision,
    )


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def _trade(t: TradeOff | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "threshold": t.threshold,
        "mqls": t.mqls,
        "per_week": _r(t.per_week, 2),
        "precision": _r(t.precision),
        "recall": _r(t.recall),
    }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def to_json(j: Judged, replay: Replay) -> dict[str, Any]:
    """The ``--json`` object of one model."""
    e = j.evaluation
    out: dict[str, Any] = {
        "model": e.model,
        "cut": replay.cut.isoformat(),
        "target": replay.rule.target,
        "window_days": replay.rule.window.days,
        "contacts": e.contacts,
        "positives": e.positives,
        "conversion": _r(e.conversion),
        "roc_auc": _r(e.roc_auc),
        "top_decile_lift": _r(e.top_decile_lift, 3),
        "converted_before_cut": replay.converted_before,
        "created_after_cut": replay.created_after,
        "mql": {
            "contacts": e.mql_contacts,
            "precision": _r(e.mql_precision),
            "recall": _r(e.mql_recall),
        },
        "deciles": [
            {
                "decile": d.index,
                "contacts": d.contacts,
                "positives": d.positives,
                "conversion": _r(d.conversion),
                "lift": _r(d.lift, 3),
                "min_score": _r(_finite(d.min_score), 2),
                "max_score": _r(_finite(d.max_score), 2),
            }
            for d in e.deciles
        ],
        "tiers": [
            {
                "tier": t.tier,
                "contacts": t.contacts,
                "positives": t.positives,
                "conversion": _r(t.conversion),
                "recall": _r(t.recall),
            }
            for t in e.tiers
        ],
        "miscalibrated_tiers": e.miscalibrated,
        "rules": [
            {
                "rule": s.rule,
                "fires": s.fires,
                "conversion_when_fires": _r(s.rate_when),
                "conversion_otherwise": _r(s.rate_not),
                "points": j.points.get(s.rule),
                "suggested_points": s.suggested_points,
            }
            for s in j.rules
        ],
        "leaks": [s.rule for s in j.leaks],
        "trade_offs": [_trade(t) for t in j.table],
    }
    if j.capacity is not None:
        out["capacity_per_week"] = j.capacity
        out["suggested_threshold"] = None if j.for_capacity is None else j.for_capacity.threshold
        out["for_capacity"] = _trade(j.for_capacity)
    if j.precision is not None:
        out["target_precision"] = j.precision
        out["for_precision"] = _trade(j.for_precision)
        out.setdefault(
            "suggested_threshold", None if j.for_precision is None else j.for_precision.threshold
        )
    return out
