"""Buying groups: personas, account signals, their points, outputs, validation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from syncd.core import (
    BuyingGroupSignals,
    CompiledModel,
    Contact,
    ModelError,
    ScoreResult,
    account_score_to_json,
    account_scores,
    finish_batch,
    result_to_json,
    score_batch,
    score_contact,
)
from syncd.core.buying_group import activity_points
from syncd.core.personas import regex_samples
from syncd.modelfile import parse_model
from tests.kit.scoring import AS_OF, BASE, act, contact, model

NOW = AS_OF.timestamp()

PERSONAS = """
    rules:
      - {id: open, activity: email_open, points: 5}
      - {id: demo, activity: demo_request, points: 20}
    account:
      buying_group:
        window_days: 30
        min_points: 5
        personas:
          - id: economic_buyer
            required: true
            weight: {w_eb}
            when: {title: {regex: '\\b(ceo|cfo|owner|vp finance)\\b'}}
          - id: champion
            required: true
            when: {title: {regex: '\\b(manager|director)\\b'}}
          - id: technical_evaluator
            label: tech evaluator
            required: true
            when: {title: {regex: '\\b(architect|engineer|it)\\b'}}
          - id: end_user
            when: {title: {exists: true}}
        points: {points}
"""


def bg_model(w_eb: float = 1, points: str = "[]") -> CompiledModel:
    return model(PERSONAS.replace("{w_eb}", str(w_eb)).replace("{points}", points))


def person(
    cid: str, title: str, *acts: dict[str, Any], domain: str = "acme.io", **props: Any
) -> Contact:
    return contact(
        cid, email=f"{cid}@{domain}", props={"title": title, **props}, activities=list(acts)
    )


def signals(m: CompiledModel, cs: list[Contact]) -> tuple[list[ScoreResult], BuyingGroupSignals]:
    rs = score_batch(m, cs, AS_OF)
    g = rs[0].buying_group
    assert g is not None
    return rs, g


def test_completeness_unweighted_and_weighted() -> None:
    cs = [
        person("a", "CFO", act("email_open", 2)),
        person("b", "Sales Manager", act("email_open", 3)),
        person("c", "Software Engineer"),
    ]  # a member, not engaged
    rs, g = signals(bg_model(), cs)
    assert [r.persona for r in rs] == ["economic_buyer", "champion", "technical_evaluator"]
    assert g.completeness == pytest.approx(200 / 3)
    assert g.engaged == ("economic_buyer", "champion")
    assert g.missing == ("technical_evaluator",)
    assert g.members == 3
    assert g.summary == (
        "Buying group 66.7%: economic buyer, champion engaged; "
        "missing: tech evaluator; momentum rising"
    )
    _, g = signals(bg_model(w_eb=3), cs)  # (3 + 1) / (3 + 1 + 1)
    assert g.completeness == pytest.approx(80.0)
    _, g = signals(bg_model(w_eb=3), cs[1:])  # (0 + 1) / 5
    assert g.completeness == pytest.approx(20.0)
    assert g.missing == ("economic_buyer", "technical_evaluator")


def test_without_required_personas_completeness_counts_all() -> None:
    m = model("""
        rules: [{id: open, activity: email_open, points: 5}]
        account:
          buying_group:
            personas:
              - {id: a, when: {title: A}}
              - {id: b, weight: 3, when: {title: B}}
    """)
    _, g = signals(m, [person("x", "B", act("email_open", 1)), person("y", "A")])
    assert g.completeness == pytest.approx(75.0)
    assert g.missing == ("a",)


def test_persona_engaged_only_outside_the_window_is_missing() -> None:
    cs = [
        person("a", "CEO", act("email_open", 31), act("demo_request", 45)),
        person("b", "Director", act("email_open", 29.9)),
    ]
    rs, g = signals(bg_model(), cs)
    assert g.engaged == ("champion",)
    assert g.missing == ("economic_buyer", "technical_evaluator")
    assert rs[0].persona == "economic_buyer"  # holds it, but not engaged
    # the window is inclusive at as_of - window_days
    _, g = signals(bg_model(), [person("a", "CEO", act("email_open", 30))])
    assert g.engaged == ("economic_buyer",)


def test_contact_matching_two_personas_holds_the_first_declared() -> None:
    # "IT Director" matches champion (director) and technical_evaluator (it)
    rs, g = signals(bg_model(), [person("a", "IT Director", act("email_open", 1))])
    assert rs[0].persona == "champion"
    assert g.engaged == ("champion",)
    assert g.missing == ("economic_buyer", "technical_evaluator")
    assert g.members == 1


def test_leads_matched_by_domain_join_one_committee() -> None:
    cs = [
        person("a", "CFO", act("email_open", 1)),  # lead, acme.io
        person("b", "Architect", act("email_open", 1)),  # lead, acme.io
        person("c", "Director", act("email_open", 1), domain="gmail.com"),  # no key
        person("d", "Director", act("email_open", 1), domain="other.io"),
    ]
    rs = score_batch(bg_model(), cs, AS_OF)
    assert {r.account_key for r in rs[:2]} == {"domain:acme.io"}
    g = rs[0].buying_group
    assert g is not None and rs[1].buying_group is g
    assert g.engaged == ("economic_buyer", "technical_evaluator")
    assert rs[2].account_key is None and rs[2].buying_group is None
    assert rs[2].persona == "champion"  # a persona, but no committee
    assert rs[3].buying_group is not None and rs[3].buying_group.engaged == ("champion",)


def test_committee_engagement_is_weighted_and_decayed() -> None:
    m = model("""
        half_life_days: 10
        rules: [{id: open, activity: email_open, points: 8}]
        account:
          buying_group:
            personas:
              - {id: eb, weight: 2, when: {title: CFO}}
              - {id: user, when: {title: User}}
    """)
    cs = [
        person("a", "CFO", act("email_open", 10)),  # 8 * 0.5 * 2 = 8
        person("b", "User", act("email_open", 0)),  # 8
        person("c", "Nobody", act("email_open", 0)),
    ]  # not a member
    _, g = signals(m, cs)
    assert g.committee_engagement == pytest.approx(16.0)


MOMENTUM = """
    rules: [{id: open, activity: email_open, points: 1}]
    half_life_days: 5
    account:
      buying_group:
        window_days: 90
        personas: [{id: user, when: {title: {exists: true}}}]
        points:
          - {id: up, momentum: rising, points: 5, to: account}
          - {id: down, momentum: falling, points: -5, to: account}
"""


@pytest.mark.parametrize(
    ("recent", "prior", "trend", "points"),
    [
        (2, 3, "rising", 5),  # 1/week vs 0.5/week
        (1, 6, "falling", -5),  # 0.5/week vs 1/week
        (2, 6, "flat", 0),  # 1/week each
        (0, 0, "flat", 0),
        (1, 0, "rising", 5),
        (0, 1, "falling", -5),
    ],
)
def test_momentum_up_and_down(recent: int, prior: int, trend: str, points: int) -> None:
    acts = [act("email_open", 1 + i) for i in range(recent)]
    acts += [act("email_open", 15 + i * 6) for i in range(prior)]  # 15 .. 45 days ago
    rs, g = signals(model(MOMENTUM), [person("a", "User", *acts)])
    assert (g.recent, g.prior, g.momentum) == (recent, prior, trend)
    assert rs[0].components["account"] == points
    assert ("momentum " + trend in g.summary) is (trend != "flat")


def test_momentum_windows_start_inclusive_and_ignore_older_activity() -> None:
    # recent: as_of - 14d <= ts <= as_of; prior: as_of - 56d <= ts < as_of - 14d
    _, g = signals(
        model(MOMENTUM),
        [
            person(
                "a",
                "User",
                act("email_open", 14),
                act("email_open", 14.001),
                act("email_open", 56),
                act("email_open", 56.001),
                act("email_open", -1),
            )
        ],
    )
    assert (g.recent, g.prior) == (1, 2)


def test_points_go_to_their_targets_with_reasons_and_cap() -> None:
    pts = """
          - {id: bg.complete, min_completeness: 60, points: 15}
          - {id: bg.eb, engaged: economic_buyer, points: 10, to: account}
          - {id: bg.members, engaged: [champion, economic_buyer], points: 4, to: members}
          - {id: bg.committee, min_committee_engagement: 100, points: 50}
        max_points: 20"""
    m = bg_model(points="\n" + pts)
    cs = [
        person("a", "CFO", act("email_open", 2)),
        person("b", "Director", act("email_open", 3)),
        person("c", "Engineer"),  # member, not engaged
        person("d", "", act("email_open", 1)),  # not a member
        person("e", "CEO", act("email_open", 1)),
    ]
    rs = score_batch(m, cs, AS_OF)
    by = {r.id: {x.rule: x.points for x in r.reasons if x.component == "account"} for r in rs}
    assert by["a"] == {"bg.complete": 15, "bg.eb": 5}  # capped at 20
    assert by["b"] == by["e"] == by["a"]
    assert by["c"] == {"bg.eb": 10, "bg.members": 4}
    assert by["d"] == {"bg.eb": 10}
    assert rs[0].components["account"] == 20


def test_disqualified_contacts_neither_engage_nor_get_points() -> None:
    m = model(
        PERSONAS.replace("{w_eb}", "1").replace(
            "{points}", "[{id: bg.eb, engaged: economic_buyer, points: 10, to: account}]"
        )
        + """
    disqualifiers: [{id: student, when: {occupation: Student}}]
    """
    )
    cs = [
        person("a", "CFO", act("email_open", 1), occupation="Student"),
        person("b", "Director", act("email_open", 1)),
    ]
    rs, g = signals(m, cs)
    assert g.engaged == ("champion",)
    assert rs[0].disqualified and rs[0].score == 0 and rs[0].persona == "economic_buyer"
    assert rs[1].components["account"] == 0


CHAMPION = """
    rules: [{id: open, activity: email_open, points: 5}]
    disqualifiers: [{id: student, when: {occupation: Student}}]
    account:
      buying_group:
        min_points: 5
        personas:
          - {id: economic_buyer, required: true, when: {title: CEO}}
          - id: champion
            required: true
            pick: most_engaged
            when: {department: Sales}
          - {id: end_user, when: {department: Sales}}
"""


def test_champion_is_the_most_engaged_candidate_and_others_fall_through() -> None:
    m = model(CHAMPION)
    sales = {"department": "Sales"}
    cs = [
        contact("a", email="a@acme.io", props=sales, activities=[act("email_open", 1)]),
        contact(
            "b",
            email="b@acme.io",
            props=sales,
            activities=[act("email_open", 1), act("email_open", 2)],
        ),
        contact("c", email="c@acme.io", props=sales),
        contact(
            "d",
            email="d@acme.io",
            props={**sales, "occupation": "Student"},
            activities=[act("email_open", d) for d in range(5)],
        ),
    ]
    rs, g = signals(m, cs)
    assert [r.persona for r in rs] == ["end_user", "champion", "end_user", "end_user"]
    assert g.engaged == ("champion", "end_user")
    # a tie goes to the smallest id; nobody engaged enough: nobody is champion
    rival = contact("0", email="z@acme.io", props=sales, activities=[act("email_open", 1)])
    rs, _ = signals(m, [cs[0], rival])
    assert [r.persona for r in rs] == ["end_user", "champion"]
    rs, g = signals(m, cs[2:3])
    assert rs[0].persona == "end_user" and "champion" in g.missing


def test_activity_points_over_all_time_equal_the_contacts_activity_reasons() -> None:
    m = model("""
        half_life_days: 20
        rules:
          - {id: pricing, activity: page_view, points: 15, max_count: 2,
             when: {url: {contains: /pricing}}}
          - {id: demo, activity: [email_click, page_view], points: 25, max_count: 2,
             when: {url: {contains: /demo}}}
          - {id: open, activity: email_open, points: 5, max_points: 12}
          - {id: unsub, activity: unsubscribe, points: -10, half_life_days: none}
        account:
          buying_group:
            personas: [{id: p, when: {title: {exists: true}}}]
    """)
    c = contact(
        "a",
        activities=[act("page_view", d, url="/pricing") for d in (1, 5, 9)]
        + [
            act("email_click", 2, url="/demo"),
            act("page_view", 3, url="/demo"),
            act("email_click", 7, url="/demo"),
            act("unsubscribe", 40),
        ]
        + [act("email_open", d) for d in (1, 2, 3, 50)]
        + [act("email_open", -1)],
    )
    r = score_batch(m, [c], AS_OF)[0]
    plan = m.plan
    assert activity_points(plan, c, float("-inf"), float("inf"), NOW) == pytest.approx(r.engagement)
    within = activity_points(plan, c, NOW - 4 * 86400, float("inf"), NOW, decay=False)
    assert within == 15 + 25 * 2 + 5 * 3 - 3  # open capped at 12


def test_json_outputs_carry_persona_and_account_signals() -> None:
    pts = "[{id: bg.complete, min_completeness: 60, points: 15}]"
    cs = [
        person("a", "CFO", act("email_open", 2)),
        person("b", "Director", act("email_open", 3)),
        person("c", "Intern", domain="gmail.com"),
    ]
    m = bg_model(points=pts)
    rs = score_batch(m, cs, AS_OF)
    j = result_to_json(rs[0])
    assert j["persona"] == "economic_buyer"
    assert j["reasons"][0] == {"rule": "bg.complete", "points": 15}
    assert result_to_json(rs[2])["persona"] == "end_user"
    (acct,) = [account_score_to_json(a) for a in account_scores(m, rs)]
    assert acct["buying_group"] == {
        "completeness": 66.7,
        "engaged_personas": ["economic_buyer", "champion"],
        "missing_personas": ["technical_evaluator"],
        "committee_engagement": 10,
        "members": 2,
        "momentum": {"trend": "rising", "recent": 10, "prior": 0},
        "summary": "Buying group 66.7%: economic buyer, champion engaged; missing: "
        "tech evaluator; momentum rising",
    }
    plain = model("rules: [{id: open, activity: email_open, points: 5}]")
    rs = score_batch(plain, cs, AS_OF)
    assert "persona" not in result_to_json(rs[0])
    assert "buying_group" not in account_score_to_json(account_scores(plain, rs)[0])


def test_summary_never_exceeds_255_characters() -> None:
    personas = "".join(
        f"\n      - {{id: persona_with_a_long_name_{i}, required: true, when: {{title: T{i}}}}}"
        for i in range(20)
    )
    m = model("account:\n  buying_group:\n    personas:" + personas)
    _, g = signals(m, [person("a", "T1")])
    assert len(g.summary) == 255 and g.summary.endswith("…")


def issues(body: str) -> dict[tuple[str, int | None], str]:
    with pytest.raises(ModelError) as exc:
        parse_model(BASE + body, "bg.yaml", {})
    return {(i.location, i.line): i.message for i in exc.value.issues}


def test_validation_names_file_line_and_key() -> None:
    found = issues("""\
rules: [{id: open, activity: email_open, points: 5}]
account:
  buying_group:
    personas:
      - {id: eb, weight: 0, when: {title: CFO}}
      - {id: eb, weight: -2, when: {title: CEO}}
      - {id: champ}
    points:
      - {id: x, engaged: [eb, champion, nobody], points: 5}
      - {id: open, min_completeness: 50, points: 5}
      - {id: y, points: 5}
""")
    assert found == {
        ("account.buying_group.personas[0].weight", 14): "must be a positive number",
        ("account.buying_group.personas[1].weight", 15): "must be a positive number",
        ("account.buying_group.personas[1].id", 15): "duplicate persona id 'eb' (first at "
        "personas[0])",
        ("account.buying_group.personas[2]", 16): "a persona needs 'when' (or 'pick: "
        "most_engaged')",
        ("account.buying_group.points[0].engaged", 18): "unknown persona 'nobody' "
        "(personas: eb, champ)",
        ("account.buying_group.points[1].id", 19): "duplicate rule id 'open'",
        ("account.buying_group.points[2]", 20): "give at least one of min_completeness, "
        "engaged, momentum, min_committee_engagement",
    }
    assert "champion" not in str(found)  # only the unknown reference is named


def test_overlapping_personas_are_a_warning_naming_both() -> None:
    spec = parse_model(
        """
name: t
tiers: [{name: low}]
mql_tier: low
account:
  buying_group:
    personas:
      - {id: economic_buyer, when: {title: {regex: '\\b(cfo|vp (finance|it))\\b'}}}
      - {id: champion, pick: most_engaged}
      - id: technical_evaluator
        when:
          title: {regex: '\\b(architect|it)\\b'}
      - {id: lead, pick: most_engaged, when: {department: Sales}}
      - {id: user, when: {department: Sales}}
      - {id: boss, pick: most_engaged, when: {title: {regex: '\\bcfo\\b'}}}
""",
        "w.yaml",
        {},
    )
    w, shadowed = spec.warnings
    # "lead" falls through to "user" by design; "boss" can only pick among non-CFOs
    assert "'economic_buyer' and 'boss'" in shadowed.message
    # "lead" tests another property: a CFO in Sales is a CFO by design, not an overlap
    assert (w.source, w.location, w.line) == ("w.yaml", "account.buying_group.personas[2]", 10)
    assert w.message == (
        "warning: personas 'economic_buyer' and 'technical_evaluator' overlap: "
        "a contact with title 'vp it' matches both and holds 'economic_buyer' "
        "(declared first)"
    )
    assert str(w).startswith("w.yaml:10: account.buying_group.personas[2]: warning: ")


@pytest.mark.parametrize(
    ("pattern", "sample"),
    [
        (r"\b(vp|svp|vice[- ]president)\b", "vice-president"),
        (r"\b(genel mudur\w*|kurucu)\b", "genel mudur"),
        (r"(?:head of|chief) \w+", "chief a"),
        (r"leiter\w*", "leitera"),
        (r"it{2}", "itt"),
        (r"[^x]+ops", "#ops"),
    ],
)
def test_regex_samples_are_matched_by_their_pattern(pattern: str, sample: str) -> None:
    got = regex_samples(pattern)
    assert sample in got
    assert all(re.search(pattern, s) for s in got)


def test_persona_regex_that_may_backtrack_is_a_warning() -> None:
    spec = parse_model(
        BASE
        + """
account:
  buying_group:
    personas:
      - {id: slow, when: {title: {regex: '(a+)+b'}}}
""",
        "bt.yaml",
        {},
    )
    (w,) = spec.warnings
    assert (w.location, w.line) == ("account.buying_group.personas[0].when.title.regex", 14)
    assert w.message.startswith("warning: '(a+)+b' repeats a group")


def test_finish_batch_refuses_partials_scored_without_the_buying_group() -> None:
    plain = model("rules: [{id: open, activity: email_open, points: 5}]")
    partials = [score_contact(plain, person("a", "CFO", act("email_open", 1)), NOW)]
    with pytest.raises(ValueError, match="without the model's buying group"):
        finish_batch(bg_model(), partials, AS_OF)
    streamed = [score_contact(bg_model(), person("a", "CFO", act("email_open", 1)), NOW)]
    (r,) = finish_batch(bg_model(), streamed, AS_OF)
    assert r.persona == "economic_buyer" and r.buying_group is not None


def test_point_ids_may_not_repeat_a_disqualifier_id() -> None:
    found = issues("""\
disqualifiers: [{id: student, when: {occupation: Student}}]
account:
  buying_group:
    personas: [{id: eb, when: {title: CFO}}]
    points: [{id: student, engaged: eb, points: 5}]
""")
    assert found == {("account.buying_group.points[0].id", 14): "duplicate rule id 'student'"}
