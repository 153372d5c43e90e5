"""The pure metrics of syncd.evaluate against hand computations."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from syncd.core.outcomes import Outcome, OutcomeRule
from syncd.evaluate import (
    EvalRow,
    deciles,
    evaluate,
    label,
    leaks,
    minimum_data_problem,
    roc_auc,
    rule_stats,
    suggest_for_capacity,
    suggest_for_precision,
    trade_offs,
)
from syncd.evaluate.ab import Flag, compare_flags

CUT = datetime(2026, 6, 1, tzinfo=UTC)


def _row(i: int, exact: float, positive: bool, rules: tuple[str, ...] = ()) -> EvalRow:
    return EvalRow(
        f"c{i:02d}", exact, "mql" if exact >= 50 else "low", exact >= 50, frozenset(rules), positive
    )


def test_roc_auc_counts_ties_as_half() -> None:
    # pairs (pos, neg): (3,1) (3,2) win, (2,1) win, (2,2) tie -> 3.5 / 4
    assert roc_auc([3, 2, 2, 1], [True, True, False, False]) == 3.5 / 4
    assert roc_auc([1, 2], [True, False]) == 0.0
    assert roc_auc([1, 2], [True, True]) is None


def test_deciles_lift_and_tiers() -> None:
    rows = [_row(i, float(i), i >= 18) for i in range(20)]  # the top two deciles convert
    ds = deciles(rows)
    assert [d.contacts for d in ds] == [2] * 10
    assert ds[0].positives == 2 and ds[0].lift == 1.0 / 0.1
    e = evaluate("m", rows, ("low", "mql", "disqualified"))
    assert e.roc_auc == 1.0 and e.top_decile_lift == 10.0
    assert [(t.tier, t.contacts) for t in e.tiers] == [("low", 20), ("mql", 0)]


def test_capacity_and_precision_suggestions() -> None:
    # 10 contacts scored 10..100; the 3 best convert; 2 weeks
    rows = [_row(i, 10.0 * i, i >= 8) for i in range(1, 11)]
    table = trade_offs(rows, weeks=2)
    cap = suggest_for_capacity(table, per_week=2)  # at most 4 MQLs: score >= 70
    assert cap is not None and (cap.threshold, cap.mqls, cap.precision) == (61, 4, 0.75)
    prec = suggest_for_precision(table, 1.0)
    assert prec is not None and (prec.threshold, prec.mqls, prec.recall) == (71, 3, 1.0)
    assert suggest_for_capacity(table, per_week=0.1) is None


def test_rule_evidence_suggested_points_and_leaks() -> None:
    rows = [_row(i, 0, i < 10, ("leak",) if i < 10 else ()) for i in range(40)]
    rows += [
        _row(100 + i, 0, i % 2 == 0, ("coin", "leak") if i % 2 == 0 else ("coin",))
        for i in range(20)
    ]
    stats = {s.rule: s for s in rule_stats(rows)}
    assert stats["leak"].rate_when == 1.0 and stats["leak"].suggested_points is not None
    assert stats["coin"].rate_when == 0.5
    # leak: 20 of 20 converters, 0 of 40 others; odds ratio 20.5*40.5 / (0.5*0.5)
    assert stats["leak"].suggested_points == round(10 * math.log2(20.5 * 40.5 / 0.25))
    assert [s.rule for s in leaks(list(stats.values()))] == ["leak"]


def test_labels_and_minimum_data() -> None:
    rule = OutcomeRule("opportunity", timedelta(days=90))
    before = Outcome("opportunity", CUT - timedelta(days=1), "a")
    within = Outcome("won", CUT + timedelta(days=10), "b")
    late = Outcome("opportunity", CUT + timedelta(days=91), "c")
    assert label([before, within], rule, CUT) == "before"
    assert label([within], rule, CUT) is True
    assert label([late, Outcome("sql", CUT, "d")], rule, CUT) is False
    problem = minimum_data_problem(40, 3)
    assert (
        problem is not None
        and "at least 10" in str(problem)
        and "3 with and 37 without" in str(problem)
    )
    assert minimum_data_problem(40, 10) is None


def test_ab_counts_flags_before_outcomes() -> None:
    rule = OutcomeRule("opportunity", timedelta(days=90))
    now = CUT + timedelta(days=200)
    out = {"a": (Outcome("opportunity", CUT + timedelta(days=5), "x"),)}
    flags = [Flag("a", CUT, CUT), Flag("b", CUT, CUT), Flag("c", CUT, None)]
    ab = compare_flags("m@1", False, flags, out, rule, now)
    assert (ab.mqls, ab.converted, ab.judged_mqls, ab.caught, ab.converters) == (2, 1, 2, 1, 1)
    assert ab.precision == 0.5 and ab.recall == 1.0 and ab.median_lead_days == 5.0
    young = compare_flags("m@1", False, [Flag("b", now, now)], out, rule, now)
    assert young.judged_mqls == 0 and young.precision is None
