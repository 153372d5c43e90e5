"""KPIs against a hand computation on a seven-contact fixture (every number below is
worked out in the comments, not taken from the code)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from syncd.core.outcomes import Outcome, OutcomeRule
from syncd.reporting.data import ConnectorReport
from syncd.reporting.html import report_html
from syncd.reporting.kpi_terminal import move_rows
from syncd.reporting.kpis import LeadFacts, compute
from syncd.state.reports import LedgerCounts

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


# A model change on Oct 1. Each contact belongs to one period by its entry (MQL date,
# else first score); the before period is seen through the old model's score and tier.
CHANGED = _d(10, 1)
SPLIT = [
    # before (MQL Sep 1), old model: mql 60, now hot 90; opportunity in 10 days, won 2000
    LeadFacts("p", 90, "hot", _d(9, 1), (
        _o("opportunity", _d(9, 11), "deal:p:opportunity"),
        _o("won", _d(10, 20), "deal:p:won", 2000.0),
    ), first_scored_at=_d(8, 1), score_then=60, tier_then="mql"),
    # before (first scored Sep 5, never an MQL), old model: nurture 20; nothing
    LeadFacts("q", 30, "nurture", None, (), first_scored_at=_d(9, 5), score_then=20,
              tier_then="nurture"),
    # before (MQL Sep 10), old model: hot 85; SQL on day 5, opportunity on day 40 (late)
    LeadFacts("r", 65, "mql", _d(9, 10), (
        _o("sql", _d(9, 15), "lifecycle:sql"),
        _o("opportunity", _d(10, 20), "deal:r:opportunity"),
    ), first_scored_at=_d(9, 1), score_then=85, tier_then="hot"),
    # before (MQL Sep 20), old model: hot 80; opportunity on day 14, after the change
    # but inside its window: it still counts for the period it entered in
    LeadFacts("w", 75, "hot", _d(9, 20), (_o("opportunity", _d(10, 4), "deal:w:opportunity"),),
              first_scored_at=_d(9, 20), score_then=80, tier_then="hot"),
    # after: first scored Aug 1 under the old model, but an MQL on Oct 5 (its entry);
    # opportunity in 4 days, won 3000
    LeadFacts("s", 95, "hot", _d(10, 5), (
        _o("opportunity", _d(10, 9), "deal:s:opportunity"),
        _o("won", _d(11, 1), "deal:s:won", 3000.0),
    ), first_scored_at=_d(8, 1), score_then=25, tier_then="nurture"),
    # after (first scored Oct 10, never an MQL): opportunity on day 20
    LeadFacts("t", 40, "nurture", None, (_o("opportunity", _d(10, 30), "deal:t:opportunity"),),
              first_scored_at=_d(10, 10)),
    # after (MQL Nov 15): still maturing on Dec 1, its opportunity not counted yet
    LeadFacts("u", 88, "hot", _d(11, 15), (_o("opportunity", _d(11, 20), "deal:u:opportunity"),),
              first_scored_at=_d(11, 15)),
    # no known entry (no MQL date, no score history): in neither period
    LeadFacts("v", 50, "mql"),
]  # fmt: skip
SPLIT_ORDER = ["hot", "mql", "nurture"]


def test_every_kpi_before_and_after_the_model_change() -> None:
    k = compute(SPLIT, RULE, now=NOW, tier_order=SPLIT_ORDER, model_changed_at=CHANGED,
                min_period_positives=1)  # fmt: skip
    c = k.change
    assert c is not None and c.at == CHANGED
    b, a = c.before, c.after
    # before: p q r w, all matured; converted within 30 days of entry: p (10 d), w (14 d)
    assert (b.contacts, b.matured, b.positives, b.enough) == (4, 4, 2, True)
    # after: s t u; u maturing; converted: s (4 d), t (20 d)
    assert (a.contacts, a.matured, a.positives, a.enough) == (3, 2, 2, True)
    # before by the old tiers: hot r w (w converted), mql p (won 2000), nurture q
    tiers = [(g.label, g.contacts, g.converted, g.won_amount) for g in b.by_tier]
    assert tiers == [("hot", 2, 1, 0.0), ("mql", 1, 1, 2000.0), ("nurture", 1, 0, 0.0)]
    tiers = [(g.label, g.contacts, g.converted, g.won_amount) for g in a.by_tier]
    assert tiers == [("hot", 1, 1, 3000.0), ("nurture", 1, 1, 0.0)]
    # deciles: before by the old scores r85 w80 p60 q20; after s95 t40
    assert [(g.low, g.converted) for g in b.by_decile] == [(85, 0), (80, 1), (60, 1), (20, 0)]
    assert [(g.low, g.converted) for g in a.by_decile] == [(95, 1), (40, 1)]
    # MQL cohorts: before p r w (SQL or later in 30 days: all three; target: p 10 d,
    # w 14 d; median 12; 3 MQLs in the 30 days to Oct 1; won 2000); after s (u maturing):
    # 4 days; 2 MQLs in the 61 days to Dec 1; won 3000
    assert (b.cohort.mqls, b.cohort.sql, b.cohort.converted, b.cohort.cycle_days) == (3, 3, 2, 12.0)
    assert (b.cohort.per_week, b.cohort.won_amount) == (0.7, 2000.0)
    assert (a.cohort.mqls, a.cohort.maturing, a.cohort.converted, a.cohort.cycle_days) == (
        1, 1, 1, 4.0
    )  # fmt: skip
    assert (a.cohort.per_week, a.cohort.won_amount) == (round(2 / (61 / 7), 2), 3000.0)
    assert (k.before, k.after) == (b.cohort, a.cohort)
    moves = [(m.kpi, m.label, m.before, m.after, m.delta) for m in c.moves]
    assert moves == [
        ("tier conversion", "hot", 0.5, 1.0, 50.0),
        ("tier conversion", "mql", 1.0, None, None),
        ("tier conversion", "nurture", 0.0, 1.0, 100.0),
        ("decile conversion", "1", 0.0, 1.0, 100.0),
        ("decile conversion", "2", 1.0, 1.0, 0.0),
        ("decile conversion", "3", 1.0, None, None),
        ("decile conversion", "4", 0.0, None, None),
        ("tier won amount", "hot", 0.0, 3000.0, 3000.0),
        ("tier won amount", "mql", 2000.0, None, None),
        ("tier won amount", "nurture", 0.0, 0.0, 0.0),
        ("MQL → SQL", "", 1.0, 1.0, 0.0),
        ("MQL → target", "", pytest.approx(2 / 3), 1.0, 33.3),
        ("median cycle days", "", 12.0, 4.0, -8.0),
    ]
    assert move_rows(k.target, c)[0] == ("tier conversion hot", "50.0%", "100.0%", "+50.0 pts")
    assert move_rows(k.target, c)[-2:] == [
        ("MQL → opportunity", "66.7%", "100.0%", "+33.3 pts"),
        ("median cycle days", "12 d", "4 d", "-8 d"),
    ]
    assert k.to_json()["since_change"]["moves"][0] == {
        "kpi": "tier conversion", "label": "hot", "before": 0.5, "after": 1.0, "delta": 50.0
    }  # fmt: skip


def test_a_period_with_too_few_outcomes_says_so_instead_of_a_figure() -> None:
    k = compute(SPLIT, RULE, now=NOW, tier_order=SPLIT_ORDER, model_changed_at=CHANGED)
    assert k.change is not None and not k.change.before.enough
    m = k.change.moves[0]
    assert (m.kpi, m.before, m.after, m.delta) == ("tier conversion", None, None, None)
    assert move_rows(k.target, k.change)[0] == ("tier conversion hot", "too few", "too few", "")
    # the MQL-cohort figures are still shown (their own minimum is in the notes)
    assert k.change.moves[-1].delta == -8.0
    assert k.notes[-2:] == [
        "too few outcomes before the model change to judge conversion per tier and decile: "
        "20 contacts reaching opportunity within the window needed, 2 found (4 of 4 matured)",
        "too few outcomes since the model change to judge conversion per tier and decile: "
        "20 contacts reaching opportunity within the window needed, 2 found (2 of 3 matured)",
    ]
    assert k.to_json()["since_change"]["before"]["by_tier"] is None


def test_the_html_report_shows_the_moves() -> None:
    k = compute(SPLIT, RULE, now=NOW, tier_order=SPLIT_ORDER, model_changed_at=CHANGED,
                min_period_positives=1)  # fmt: skip
    report = ConnectorReport(
        "hs", "hubspot", NOW, None, None, [], {}, {}, [], [], [], 0,
        LedgerCounts(0, 0, 0, 0, 0, 0), kpis=k,
    )  # fmt: skip
    page = report_html([report], NOW)
    assert '<table id="kpi-change-hs">' in page
    row = '<tr><td>median cycle days</td><td class="n">12 d</td><td class="n">4 d</td>'
    assert row + '<td class="n">-8 d</td></tr>' in page
