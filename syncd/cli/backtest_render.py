"""What ``syncd backtest`` prints: the side-by-side comparison of the models
(the first is the champion), then for each model its deciles, tiers, the
threshold trade-off and the per-rule evidence with suggested points."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table

from syncd.cli.backtest_judge import Judged
from syncd.cli.backtest_sources import Replay
from syncd.evaluate.thresholds import table_rows

__all__ = ["headline", "render"]


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _num(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _score(x: float) -> str:
    return "disq." if x == float("-inf") else f"{x:.1f}"


def headline(replay: Replay, judged: Judged) -> str:
    e = judged.evaluation
    left = [
        f"{replay.converted_before} converted before the cut",
        f"{replay.created_after} created after it",
    ]
    if replay.not_scorable:
        left.append(f"{replay.not_scorable} not scorable")
    return (
        f"cut {replay.cut.isoformat()}, target {replay.rule.target} within "
        f"{replay.rule.window.days}d: {e.contacts} contacts judged, {e.positives} converted "
        f"({_pct(e.conversion)}); left out: {', '.join(left)}"
    )


def comparison(judged: Sequence[Judged]) -> Table:
    t = Table()
    t.add_column("")
    for j in judged:
        t.add_column(j.evaluation.model, justify="right")
    rows: list[tuple[str, list[str]]] = [
        ("ROC-AUC", [_num(j.evaluation.roc_auc) for j in judged]),
        ("top-decile lift", [_num(j.evaluation.top_decile_lift, 2) for j in judged]),
        ("MQLs", [str(j.evaluation.mql_contacts) for j in judged]),
        ("MQL precision", [_pct(j.evaluation.mql_precision) for j in judged]),
        ("MQL recall", [_pct(j.evaluation.mql_recall) for j in judged]),
    ]
    if any(j.capacity is not None or j.precision is not None for j in judged):
        rows.append(
            (
                "suggested threshold",
                ["-" if j.suggested is None else str(j.suggested.threshold) for j in judged],
            )
        )
    for label, cells in rows:
        t.add_row(label, *cells)
    return t


def _deciles(j: Judged) -> Table:
    t = Table()
    for col in ("decile", "contacts", "converted", "conversion", "lift", "scores"):
        t.add_column(col, justify="right")
    for d in j.evaluation.deciles:
        t.add_row(
            str(d.index),
            str(d.contacts),
            str(d.positives),
            _pct(d.conversion),
            f"{d.lift:.2f}",
            f"{_score(d.min_score)} to {_score(d.max_score)}",
        )
    return t


def _tiers(j: Judged) -> Table:
    e = j.evaluation
    t = Table()
    for col in ("tier", "contacts", "converted", "conversion", "recall"):
        t.add_column(col, justify="right" if col != "tier" else "left")
    for s in reversed(e.tiers):
        t.add_row(s.tier, str(s.contacts), str(s.positives), _pct(s.conversion), _pct(s.recall))
    return t


def _trade_offs(j: Judged) -> Table:
    t = Table()
    for col in ("score >=", "MQLs", "MQLs/week", "precision", "recall", ""):
        t.add_column(col, justify="right" if col else "left")
    marks = {id(j.for_capacity): "capacity", id(j.for_precision): "precision"}
    for row in table_rows(j.table, [j.for_capacity, j.for_precision]):
        mark = marks.get(id(row), "")
        t.add_row(
            str(row.threshold),
            str(row.mqls),
            f"{row.per_week:.1f}",
            _pct(row.precision),
            _pct(row.recall),
            f"<- suggested ({mark})" if mark else "",
        )
    return t


def _rules(j: Judged) -> Table:
    t = Table()
    for col in ("rule", "fires", "conv. when", "otherwise", "points", "suggested"):
        t.add_column(col, justify="left" if col == "rule" else "right")
    for s in sorted(j.rules, key=lambda s: -s.fires):
        own = j.points.get(s.rule)
        t.add_row(
            s.rule,
            str(s.fires),
            _pct(s.rate_when),
            _pct(s.rate_not),
            "-" if own is None else f"{own:g}",
            "-" if s.suggested_points is None else str(s.suggested_points),
        )
    return t


def _suggestion_lines(j: Judged) -> list[str]:
    out = []
    if j.capacity is not None:
        out.append(
            f"{j.evaluation.model}: no threshold flags at most {j.capacity:g} MQLs/week"
            if j.for_capacity is None
            else f"{j.evaluation.model}: for {j.capacity:g} MQLs/week, MQL at score >= "
            f"{j.for_capacity.threshold} ({j.for_capacity.per_week:.1f}/week, precision "
            f"{_pct(j.for_capacity.precision)}, recall {_pct(j.for_capacity.recall)})"
        )
    if j.precision is not None:
        out.append(
            f"{j.evaluation.model}: no threshold reaches precision {_pct(j.precision)}"
            if j.for_precision is None
            else f"{j.evaluation.model}: for precision {_pct(j.precision)}, MQL at score >= "
            f"{j.for_precision.threshold} ({j.for_precision.per_week:.1f}/week, recall "
            f"{_pct(j.for_precision.recall)})"
        )
    return out


def render(replay: Replay, judged: Sequence[Judged]) -> list[RenderableType]:
    """Plain lines (``str``) and tables, in order."""
    parts: list[RenderableType] = [
        headline(replay, judged[0]),
        "models compared (first: champion)",
        comparison(judged),
    ]
    for j in judged:
        parts += _suggestion_lines(j)
    for j in judged:
        m = j.evaluation.model
        parts += [f"{m}: conversion by score decile", _deciles(j)]
        parts += [f"{m}: tiers (precision = conversion)", _tiers(j)]
        if j.evaluation.miscalibrated:
            bad = ", ".join(j.evaluation.miscalibrated)
            parts.append(f"{m}: converts worse than the tier below: {bad}")
        parts += [
            f"{m}: MQL threshold trade-off (per week over the {j.weeks:.1f}-week outcome window)",
            _trade_offs(j),
            f"{m}: rules (suggested points are only a suggestion: the model is unchanged)",
            _rules(j),
        ]
    return parts
