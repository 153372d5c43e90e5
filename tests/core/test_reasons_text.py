"""The reasons text: format and parser agree (round trip), and the comparison
by meaning ignores points only."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.core import Reason, ScoreResult, format_points, summary
from syncd.core.explain import summary_and_rules
from syncd.core.reasons_text import (
    NO_RULES,
    ReasonItem,
    ReasonsText,
    format_reasons,
    parse_reasons,
    rules_only,
    same_rules,
    with_probability,
)

rule_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,30}", fullmatch=True)
points = st.one_of(
    st.integers(-500, 500).filter(bool),
    st.integers(-5000, 5000).filter(lambda t: t % 10 != 0).map(lambda t: t / 10),
)
items = st.builds(ReasonItem, rule_ids, points, st.integers(1, 40))


def _result(
    reasons: list[tuple[str, float, int]], *, disqualified: bool = False, routed: bool = False
) -> ScoreResult:
    """A result with these (rule, points, count) reasons."""
    return ScoreResult(
        id="c",
        score=0,
        exact=0.0,
        tier="t",
        mql=False,
        disqualified=disqualified,
        priority=False,
        model="m@1a2b3c4d",
        fit=0,
        engagement=0,
        account=0,
        account_key=None,
        reasons=tuple(Reason(rule, p, n) for rule, p, n in reasons),
        routed=routed,
    )


@settings(max_examples=500, deadline=None)
@given(st.lists(items, max_size=30), st.integers(20, 255))
def test_parse_inverts_format_and_cuts_only_the_tail(shown: list[ReasonItem], limit: int) -> None:
    text = format_reasons(shown, limit=limit)
    assert len(text) <= limit
    back = parse_reasons(text)
    assert back is not None
    if len("; ".join(i.text() for i in shown)) <= limit:
        assert back == ReasonsText(tuple(shown))
    else:
        kept = len(back.items)
        assert back.items == tuple(shown[:kept]) and back.more == len(shown) - kept


@settings(max_examples=500, deadline=None)
@given(
    st.lists(items, max_size=12), st.lists(items, max_size=12), st.integers(20, 255), st.booleans()
)
def test_same_rules_is_equal_meaning_of_the_parsed_texts(
    a: list[ReasonItem], b: list[ReasonItem], limit: int, reuse: bool
) -> None:
    if reuse:  # same rules and counts, other points
        b = [ReasonItem(i.rule, j.points, i.count) for i, j in zip(a, b, strict=False)]
    ta, tb = format_reasons(a, limit=limit), format_reasons(b, limit=limit)
    pa, pb = parse_reasons(ta), parse_reasons(tb)
    assert pa is not None and pb is not None
    assert same_rules(ta, tb) == (pa.meaning() == pb.meaning())


@settings(max_examples=300, deadline=None)
@given(st.lists(items, min_size=1, max_size=8), st.data())
def test_same_rules_ignores_points_and_nothing_else(
    shown: list[ReasonItem], data: st.DataObject
) -> None:
    aged = [ReasonItem(i.rule, data.draw(points), i.count) for i in shown]
    assert same_rules(format_reasons(shown), format_reasons(aged))
    more = [*shown[:-1], ReasonItem(shown[-1].rule, shown[-1].points, shown[-1].count + 1)]
    assert not same_rules(format_reasons(shown), format_reasons(more))
    if [(i.rule, i.count) for i in shown] != [(i.rule, i.count) for i in shown[::-1]]:
        assert not same_rules(format_reasons(shown), format_reasons(shown[::-1]))


def test_summary_is_the_format_of_the_result() -> None:
    r = ScoreResult(
        id="c",
        score=48,
        exact=48.0,
        tier="nurture",
        mql=False,
        disqualified=False,
        priority=False,
        model="m",
        fit=20,
        engagement=28,
        account=0,
        account_key=None,
        reasons=(
            Reason("title.exec", 20),
            Reason("pricing_page", 13.44, 2),
            Reason("blog", 0.01),
            Reason("inactivity", -10),
        ),
    )
    text = summary(r)
    assert text == "title.exec +20; pricing_page +13.4 (x2); inactivity -10"
    assert parse_reasons(text) == ReasonsText(
        (
            ReasonItem("title.exec", 20),
            ReasonItem("pricing_page", 13.4, 2),
            ReasonItem("inactivity", -10),
        )
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            rule_ids,
            st.one_of(
                st.floats(-300, 300, allow_nan=False),
                st.integers(-3000, 3000).map(lambda t: t / 10 + 0.05),  # halves of a tenth
            ),
            st.integers(1, 9),
        ),
        max_size=25,
    ),
    st.integers(20, 255),
)
def test_summary_formats_every_item_as_format_reasons_does(
    reasons: list[tuple[str, float, int]], limit: int
) -> None:
    """The looked-up item texts (second call) read exactly as formatted ones."""
    r = _result(reasons)
    shown = [ReasonItem(rule, format_points(p), n) for rule, p, n in reasons]
    expected = format_reasons([i for i in shown if i.points != 0], limit=limit)
    assert summary(r, limit) == expected
    assert summary(r, limit) == expected


def test_disqualified_empty_and_foreign_texts() -> None:
    dq = format_reasons([ReasonItem("occupation.student", 0)], disqualified=True)
    assert dq == "disqualified: occupation.student"
    parsed = parse_reasons(dq)
    assert parsed is not None and parsed.disqualified
    assert not same_rules(dq, "occupation.student +0")
    assert parse_reasons(format_reasons([])) == ReasonsText() and format_reasons([]) == NO_RULES
    for foreign in ("", "hot lead!", "title.exec +20; call me", "title.exec 20"):
        assert parse_reasons(foreign) is None
        assert not same_rules(foreign, "title.exec +20")
    assert same_rules("hot lead!", "hot lead!")


def test_a_routed_text_with_a_probability_parses_to_both() -> None:
    items = [ReasonItem("title.exec", 20), ReasonItem("pricing_page", 15, 2)]
    text = with_probability(format_reasons(items, model="emea@1a2b3c4d", limit=230), 0.234)
    assert text == (
        "model: emea@1a2b3c4d; title.exec +20; pricing_page +15 (x2) | predicted conversion 23%"
    )
    parsed = parse_reasons(text)
    assert parsed is not None
    assert (parsed.model, parsed.percent, parsed.items) == ("emea@1a2b3c4d", 23, tuple(items))
    other_model = text.replace("emea@1a2b3c4d", "dach@00000000")
    other_percent = text.replace("23%", "24%")
    new_points = text.replace("+20", "+21")
    assert not same_rules(text, other_model) and not same_rules(text, other_percent)
    assert same_rules(text, new_points)
    assert parse_reasons("model: a@1; model: b@2; x +1") is None


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            rule_ids,
            st.one_of(
                st.floats(-300, 300, allow_nan=False),
                st.integers(-3000, 3000).map(lambda t: t / 10 + 0.05),
                st.just(0.0),
            ),
            st.integers(1, 12),
        ),
        max_size=25,
    ),
    st.integers(20, 255),
    st.booleans(),
    st.booleans(),
)
def test_the_rules_of_a_summary_are_the_rules_of_its_text(
    reasons: list[tuple[str, float, int]], limit: int, disqualified: bool, routed: bool
) -> None:
    """``summary_and_rules`` gives the summary and exactly what ``rules_only``
    makes of it, whether the text is cut, routed, disqualified or empty."""
    r = _result(reasons, disqualified=disqualified, routed=routed)
    text, rules = summary_and_rules(r, limit)
    assert text == summary(r, limit)
    assert rules == rules_only(text)
