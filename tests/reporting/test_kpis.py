"""KPIs against a hand computation on a seven-contact fixture (every number below is
worked out in the comments, not taken from the code)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from syncd.core.outcomes import Outcome, OutcomeRule
from syncd.reporting.kpis import LeadFacts, compute

NOW = datetime(2026, 12, 1, tzinfo=UTC)
RULE = OutcomeRule("opportunity", timedelta(days=30))


def _d(month: int, day: int) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC)


def _o(kind: str, at: datetime, key: str, amount: float | None = None) -> Outcome:
    return Outcome(kind, at, key, amount)


LEADS = [
    # hot, MQL Sep 1: SQL on day 4, opportunity on day 10, won 1000 (deal 1)
    LeadFacts("a", 90, "hot", _d(9, 1), (
        _o("sql", _d(9, 5), "lifecycle:sql"),
        _o("opportunity", _d(9, 11), "deal:1:opportunity"),
        _o("won", _d(10, 1), "deal:1:won", 1000.0),
    )),
    # hot, MQL Sep 1: opportunity on day 61, outside the 30-day window
    LeadFacts("b", 80, "hot", _d(9, 1), (_o("opportunity", _d(11, 1), "deal:3:opportunity"),)),
    # mql, MQL Sep 10: SQL only
    LeadFacts("c", 60, "mql", _d(9, 10), (_o("sql", _d(9, 12), "lifecycle:sql"),)),
    # mql, MQL Nov 20: still inside its window on Dec 1 (maturing)
    LeadFacts("d", 55, "mql", _d(11, 20), (_o("opportunity", _d(11, 25), "deal:4:opportunity"),)),
    # nurture, never an MQL: an opportunity, lost
    LeadFacts("e", 30, "nurture", None, (
        _o("opportunity", _d(10, 1), "deal:5:opportunity"),
        _o("lost", _d(10, 20), "deal:5:lost", 700.0),
    )),
    LeadFacts("f", 10, "unqualified"),
    # mql, MQL Oct 2: opportunity on day 19, won 500 (deal 2) on day 28; also on deal 1,
    # won the day before its MQL date (and counted for a, the first contact by id)
    LeadFacts("g", 70, "mql", _d(10, 2), (
        _o("opportunity", _d(10, 21), "deal:2:opportunity"),
        _o("won", _d(10, 30), "deal:2:won", 500.0),
        _o("won", _d(10, 1), "deal:1:won", 1000.0),
    )),
]  # fmt: skip
ORDER = ["hot", "mql", "nurture", "unqualified"]


def test_conversion_per_tier_and_decile() -> None:
    k = compute(LEADS, RULE, now=NOW, tier_order=ORDER)
    # converted at any time: a, b, d, e, g (c has an SQL only, f nothing)
    assert (k.contacts, k.positives) == (7, 5)
    tiers = {g.label: (g.contacts, g.converted, g.won_amount) for g in k.by_tier}
    assert [g.label for g in k.by_tier] == ORDER
    assert tiers == {
        "hot": (2, 2, 1000.0),
        "mql": (3, 2, 500.0),  # deal 1's win is a's (first by id), not g's again
        "nurture": (1, 1, 0.0),
        "unqualified": (1, 0, 0.0),
    }
    assert k.by_tier[1].rate == pytest.approx(2 / 3)
    # seven contacts: seven one-contact deciles by score a90 b80 g70 c60 d55 e30 f10
    assert [(g.low, g.converted) for g in k.by_decile] == [
        (90, 1), (80, 1), (70, 1), (60, 0), (55, 1), (30, 1), (10, 0)
    ]  # fmt: skip


def test_mql_cohort_cycle_time_and_volume() -> None:
    c = compute(LEADS, RULE, now=NOW, tier_order=ORDER).cohort
    # matured MQLs: a, b, c, g (d's window ends Dec 20)
    assert (c.mqls, c.maturing) == (4, 1)
    # SQL or later within 30 days: a (Sep 5), c (Sep 12), g (opportunity Oct 21)
    assert c.sql == 3 and c.sql_rate == pytest.approx(0.75)
    # an opportunity within 30 days: a (10 days), g (19 days); median 14.5
    assert (c.converted, c.cycle_days) == (2, 14.5)
    # 5 MQLs from Sep 1 to Dec 1 (13 weeks)
    assert c.per_week == pytest.approx(round(5 / 13, 2))
    assert c.won_amount == 1500.0


def test_before_and_after_the_model_change() -> None:
    k = compute(LEADS, RULE, now=NOW, tier_order=ORDER, model_changed_at=_d(10, 1))
    assert k.before is not None and k.after is not None
    # before (a, b, c): SQL a, c; converted a (10 days); 3 MQLs over 30 days
    assert (k.before.mqls, k.before.sql, k.before.converted, k.before.cycle_days) == (3, 2, 1, 10.0)
    assert k.before.per_week == pytest.approx(round(3 / (30 / 7), 2))
    # after (d maturing, g): g reached SQL and opportunity in 19 days; 2 MQLs in 61 days
    assert (k.after.mqls, k.after.maturing, k.after.converted, k.after.cycle_days) == (
        1,
        1,
        1,
        19.0,
    )
    assert k.after.per_week == pytest.approx(round(2 / (61 / 7), 2))
    assert (k.before.won_amount, k.after.won_amount) == (1000.0, 500.0)


def test_too_few_outcomes_say_how_many_are_needed() -> None:
    k = compute(LEADS, RULE, now=NOW)
    assert not k.enough
    assert k.notes == [
        "too few outcomes to judge conversion: 20 contacts reaching opportunity needed, 5 found",
        "too few MQLs with a full 30-day window to judge MQL→SQL: 20 needed, 4 found "
        "(1 still maturing)",
    ]
    assert compute([], RULE, now=NOW).by_decile == []


def test_target_won_counts_only_wins() -> None:
    k = compute(LEADS, OutcomeRule("won", timedelta(days=30)), now=NOW, tier_order=ORDER)
    assert k.positives == 2  # a and g
    # within 30 days of the MQL: a won Oct 1 (30 days: outside), g won Oct 30 (28 days;
    # deal 1's win is before g's MQL date)
    assert (k.cohort.converted, k.cohort.cycle_days) == (1, 28.0)
