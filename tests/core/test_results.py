"""Tiers, rounding, explanations, model versions and the JSON contract."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.core import (
    ContactError,
    Reason,
    ScoreResult,
    contact_from_json,
    format_points,
    result_to_json,
    round_half_up,
    score_batch,
    summary,
)
from tests.kit.scoring import AS_OF, act, contact, model


def scored(points: float, n: int = 1, extra: str = "") -> ScoreResult:
    m = model(f"""
        {extra}
        rules:
          - id: pts
            activity: email_open
            points: {points}
    """)
    return score_batch(m, [contact(activities=[act("email_open")] * n)], AS_OF)[0]


@pytest.mark.parametrize(
    ("x", "y"), [(2.5, 3), (2.4999, 2), (-2.5, -2), (-2.51, -3), (0.5, 1), (24.5, 25), (7, 7)]
)
def test_round_half_up(x: float, y: int) -> None:
    assert round_half_up(x) == y


@pytest.mark.parametrize(
    ("points", "tier", "score", "mql"),
    [
        (24.9, "low", 25, False),  # rounds to 25 but the tier uses the exact score
        (25, "mid", 25, True),
        (49.5, "mid", 50, True),
        (50, "high", 50, True),
        (-3, "low", -3, False),
    ],
)
def test_tiers_on_exact_score(points: float, tier: str, score: int, mql: bool) -> None:
    r = scored(points)
    assert (r.tier, r.score, r.mql) == (tier, score, mql)
    assert r.exact == pytest.approx(points)


def test_score_floor() -> None:
    r = scored(-30, extra="score_floor: -10")
    assert r.score == -10
    assert scored(-30).score == -30


def test_components_are_rounded_ints() -> None:
    m = model("""
        rules:
          - {id: f, points: 10.4, when: {t: {exists: true}}}
          - {id: e, activity: email_open, points: 2.5}
    """)
    r = score_batch(m, [contact(props={"t": "x"}, activities=[act("email_open")])], AS_OF)[0]
    assert r.components == {"fit": 10, "engagement": 3, "account": 0}
    assert r.score == 13


@pytest.mark.parametrize(
    ("fit", "eng", "components", "score"),
    [(0.5, 0.5, (1, 0), 1), (0.4, 0.4, (1, 0), 1), (0.4, 0.6, (0, 1), 1), (-0.5, 0.4, (0, 0), 0)],
)
def test_components_add_up_to_the_score(
    fit: float, eng: float, components: tuple[int, int], score: int
) -> None:
    m = model(f"""
        rules:
          - {{id: f, points: {fit}, when: {{t: {{exists: true}}}}}}
          - {{id: e, activity: email_open, points: {eng}}}
    """)
    r = score_batch(m, [contact(props={"t": "x"}, activities=[act("email_open")])], AS_OF)[0]
    assert (r.components["fit"], r.components["engagement"]) == components
    assert r.score == score


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=500)
@given(finite, finite, finite)
def test_components_always_sum_to_the_score(fit: float, eng: float, acc: float) -> None:
    exact = fit + eng + acc
    r = ScoreResult(
        "c", round_half_up(exact), exact, "t", False, False, False, "m@1", fit, eng, acc, (), None
    )
    parts = r.components
    assert sum(parts.values()) == r.score
    for name, value in (("fit", fit), ("engagement", eng), ("account", acc)):
        assert abs(parts[name] - value) < 1


def test_reasons_ordered_by_magnitude_and_formatted() -> None:
    m = model("""
        half_life_days: 30
        rules:
          - {id: small, points: 3, when: {t: {exists: true}}}
          - {id: neg, activity: unsubscribe, points: -10, half_life_days: none}
          - {id: opens, activity: email_open, points: 5}
    """)
    c = contact(
        props={"t": "x"},
        activities=[act("email_open", 1), act("email_open", 2), act("unsubscribe", 3)],
    )
    r = score_batch(m, [c], AS_OF)[0]
    assert [x.rule for x in r.reasons] == ["neg", "opens", "small"]
    j = result_to_json(r)
    assert j["reasons"][0] == {"rule": "neg", "points": -10}
    assert isinstance(j["reasons"][1]["points"], float)
    assert j["summary"].startswith("neg -10; opens +9.")
    assert "(x2)" in j["summary"]


def test_result_json_shape() -> None:
    r = scored(30)
    j = result_to_json(r)
    assert set(j) == {
        "id",
        "score",
        "tier",
        "mql",
        "disqualified",
        "priority",
        "model",
        "components",
        "reasons",
        "summary",
        "account_key",
    }
    assert j["model"].startswith("t@") and len(j["model"]) == 10
    assert j["score"] == 30 and isinstance(j["score"], int)


def test_format_points() -> None:
    assert format_points(20.0) == 20 and isinstance(format_points(20.0), int)
    assert format_points(4.95) == 5
    assert format_points(4.94) == 4.9
    assert format_points(-2.25) == -2.2


def _result(reasons: list[Reason]) -> ScoreResult:
    return ScoreResult(
        id="x",
        score=1,
        exact=1.0,
        tier="t",
        mql=False,
        disqualified=False,
        priority=False,
        model="m@1",
        fit=0,
        engagement=0,
        account=0,
        reasons=tuple(reasons),
        account_key=None,
    )


def test_summary_fits_255_chars() -> None:
    reasons = [Reason(f"some.fairly.long.rule.name.{i:02d}", 40 - i) for i in range(30)]
    s = summary(_result(reasons))
    assert len(s) <= 255
    assert s.startswith("some.fairly.long.rule.name.00 +40; ")
    kept = s.count(";")
    assert s.endswith(f"…+{30 - kept} more")


def test_summary_short_is_untouched_and_skips_zero() -> None:
    s = summary(_result([Reason("a", 20), Reason("b", 15, 2), Reason("z", 0)]))
    assert s == "a +20; b +15 (x2)"
    assert summary(_result([])) == "no rules fired"


def test_model_version_stable_and_content_based() -> None:
    a = model("rules: [{id: o, activity: email_open, points: 5}]")
    b = model("# a comment\nrules:\n  - {id: o,   activity: email_open, points: 5}\n")
    c = model("rules: [{id: o, activity: email_open, points: 6}]")
    assert a.version == b.version
    assert a.version != c.version
    assert a.ref == f"t@{a.version}"
    assert len(a.version) == 8 and set(a.version) <= set("0123456789abcdef")  # hex digits


def test_model_version_includes_attachments() -> None:
    body = "account: {priority: {points: 5, file: p.csv}}"
    v1 = model(body, attachments={"p.csv": "id\n001\n"}).version
    v2 = model(body, attachments={"p.csv": "id\n002\n"}).version
    assert v1 != v2


@pytest.mark.parametrize(
    ("obj", "msg"),
    [
        ([], "contact: must be a JSON object"),
        ({}, "id: required"),
        (
            {
                "id": "1",
                "activities": [
                    {"type": "x", "at": "2026-01-01T00:00:00Z"},
                    {"type": "x", "at": "2026-01-01T00:00:00Z"},
                    {"type": "x", "at": "yesterday"},
                ],
            },
            "activities[2].at: not an ISO-8601 date-time",
        ),
        ({"id": "1", "activities": [{"at": "2026-01-01"}]}, "activities[0].type"),
        ({"id": "1", "activities": [{"type": "x"}]}, "activities[0].at: required"),
        ({"id": "1", "activities": {}}, "activities: must be a list"),
        ({"id": "1", "properties": {"a": [1]}}, "properties.a"),
        ({"id": "1", "account": {"properties": {"b": {}}}}, "account.properties.b"),
        ({"id": "1", "created_at": "soon"}, "created_at"),
        ({"id": "1", "email": 5.5}, "email"),
    ],
)
def test_contact_errors_name_the_field(obj: object, msg: str) -> None:
    with pytest.raises(ContactError, match=msg.replace("[", r"\[").replace("]", r"\]")):
        contact_from_json(obj)


def test_contact_parsing_accepts_design_example() -> None:
    c = contact_from_json(
        {
            "id": "003A1",
            "email": "ana@acme.io",
            "properties": {
                "title": "VP Engineering",
                "industry": "Technology",
                "employees": 120,
                "country": "US",
                "empty": None,
            },
            "account": {
                "id": "001X",
                "name": "Acme",
                "domain": "acme.io",
                "properties": {"priority": True},
            },
            "activities": [
                {"type": "page_view", "at": "2026-11-20T10:00:00Z", "url": "https://a/pricing"},
                {"type": "email_open", "at": "2026-11-20T11:00:00-01:00", "campaign": "Nov"},
                {"type": "email_open", "at": "2026-11-19"},
            ],
        }
    )
    assert c.account_key == "id:001X"
    assert [a.type for a in c.activities] == ["email_open", "page_view", "email_open"]
    assert c.activities[0].ts > c.activities[1].ts
    assert "empty" not in c.raw
