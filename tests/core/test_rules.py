"""Per-rule-type semantics: operators, groups, caps, negatives, disqualifiers,
decay, inactivity, velocity."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from syncd.core import CompiledModel, Contact, ScoreResult, score_batch
from tests.kit.scoring import AS_OF, BASE, act, contact, model


def score1(m: CompiledModel, c: Contact) -> ScoreResult:
    return score_batch(m, [c], AS_OF)[0]


def rule_points(r: ScoreResult) -> dict[str, float]:
    return {x.rule: x.points for x in r.reasons}


def prop_model(cond: str) -> CompiledModel:
    return model(f"""
        rules:
          - id: r
            points: 10
            when:
              {cond}
    """)


@pytest.mark.parametrize(
    ("cond", "props", "hit"),
    [
        ("industry: Technology", {"industry": "TECHNOLOGY"}, True),
        ("industry: Technology", {"industry": "Tech"}, False),
        ("industry: {equals: Technology}", {}, False),
        ("industry: {not_equals: Retail}", {"industry": "Tech"}, True),
        ("industry: {not_equals: Retail}", {"industry": "retail"}, False),
        ("industry: {not_equals: Retail}", {}, True),
        ("country: [US, UK]", {"country": "uk"}, True),
        ("country: {in: [US, UK]}", {"country": "DE"}, False),
        ("country: {not_in: [US, UK]}", {"country": "DE"}, True),
        ("title: {contains: market}", {"title": "Head of Marketing"}, True),
        ("title: {contains: [sales, market]}", {"title": "Sales lead"}, True),
        ("title: {not_contains: intern}", {"title": "Intern"}, False),
        ("title: {regex: '\\bcto\\b'}", {"title": "Director"}, False),
        ("title: {regex: '\\bcto\\b'}", {"title": "CTO / Co-founder"}, True),
        ("title: {regex: '\\bvp\\b'}", {"title": "MVP program"}, False),
        ("title: {regex: ['\\bceo\\b', 'genel müdür']}", {"title": "GENEL MÜDÜR"}, True),
        ("employees: {min: 50, max: 500}", {"employees": 50}, True),
        ("employees: {min: 50, max: 500}", {"employees": 500}, True),
        ("employees: {min: 50, max: 500}", {"employees": 501}, False),
        ("employees: {min: 50, max: 500}", {"employees": "120"}, True),
        ("employees: {min: 1000}", {"employees": "1,200"}, True),
        ("employees: {max: 49}", {"employees": "1,200"}, False),
        ("employees: {min: 1}", {"employees": "lots"}, False),
        ("employees: {min: 1}", {"employees": True}, False),
        ("employees: 120", {"employees": "120"}, True),
        ("employees: {exists: true}", {"employees": 3}, True),
        ("employees: {exists: false}", {}, True),
        ("flag: true", {"flag": True}, True),
    ],
)
def test_property_operators(cond: str, props: dict[str, Any], hit: bool) -> None:
    r = score1(prop_model(cond), contact(props=props))
    assert (r.score == 10) is hit


def test_multiple_conditions_are_anded() -> None:
    m = model("""
        rules:
          - id: r
            points: 10
            when:
              industry: Technology
              country: US
    """)
    assert score1(m, contact(props={"industry": "Technology", "country": "US"})).score == 10
    assert score1(m, contact(props={"industry": "Technology", "country": "DE"})).score == 0


def test_property_falls_back_to_account_and_account_prefix_reads_account_only() -> None:
    m = model("""
        rules:
          - id: any
            points: 10
            when: {industry: Technology}
          - id: acc
            points: 1
            when: {account.industry: Technology}
    """)
    acc = {"id": "A", "properties": {"industry": "Technology"}}
    assert score1(m, contact(account=acc)).score == 11
    # contact value wins over the account for plain names
    assert score1(m, contact(props={"industry": "Retail"}, account=acc)).score == 1
    assert score1(m, contact(props={"industry": "Technology"})).score == 10


def test_exclusive_group_keeps_best() -> None:
    m = model("""
        rules:
          - id: t.mgr
            group: title
            points: 10
            when: {title: {contains: director}}
          - id: t.exec
            group: title
            points: 20
            when: {title: {contains: general}}
          - id: other
            points: 1
            when: {title: {contains: director}}
    """)
    r = score1(m, contact(props={"title": "Director General"}))
    assert r.score == 21
    assert rule_points(r) == {"t.exec": 20, "other": 1}


def test_exclusive_group_on_activities() -> None:
    m = model("""
        rules:
          - id: a
            group: g
            activity: page_view
            points: 5
          - id: b
            group: g
            activity: email_open
            points: 3
    """)
    r = score1(m, contact(activities=[act("page_view"), act("email_open"), act("email_open")]))
    assert rule_points(r) == {"b": 6}


ACT = """
    rules:
      - id: pricing
        activity: page_view
        points: 15
        {extra}
        when:
          url: {{contains: /pricing}}
"""


def test_activity_points_per_occurrence_and_conditions() -> None:
    m = model(ACT.format(extra=""))
    c = contact(
        activities=[
            act("page_view", url="https://x/pricing"),
            act("page_view", url="https://x/PRICING?a=1"),
            act("page_view", url="https://x/blog"),
            act("email_click", url="https://x/pricing"),
        ]
    )
    r = score1(m, c)
    assert r.score == 30
    assert r.reasons[0].count == 2


def test_activity_type_list_and_attribute_operators() -> None:
    m = model("""
        rules:
          - id: demo
            activity: [email_click, page_view]
            points: 25
            when: {url: {contains: /demo}}
          - id: cs
            activity: content_download
            points: 10
            when: {kind: case_study}
          - id: ticket
            activity: support_ticket
            points: -3
            when: {category: {not_equals: sales}}
          - id: form
            activity: form_submit
            points: 4
            when: {form: {regex: '\\bvehicle\\b'}}
    """)
    c = contact(
        activities=[
            act("email_click", url="/demo"),
            act("page_view", url="/demo"),
            act("content_download", kind="Case_Study"),
            act("content_download", kind="ebook"),
            act("support_ticket", category="billing"),
            act("support_ticket", category="Sales"),
            act("support_ticket"),
            act("form_submit", form="Vehicle interest"),
            act("form_submit", form="Vehicles"),
        ]
    )
    assert rule_points(score1(m, c)) == {"demo": 50, "cs": 10, "ticket": -6, "form": 4}


def test_max_count_keeps_newest() -> None:
    m = model(ACT.format(extra="max_count: 2"), base=BASE + "half_life_days: 10\n")
    c = contact(activities=[act("page_view", d, url="/pricing") for d in (30, 0, 10, 20)])
    r = score1(m, c)
    # newest two: age 0 (15) and age 10 (7.5)
    assert r.reasons[0].points == pytest.approx(22.5)
    assert r.reasons[0].count == 2


def test_max_count_across_types_keeps_newest() -> None:
    m = model("""
        half_life_days: 10
        rules:
          - id: demo
            activity: [email_click, page_view]
            points: 20
            max_count: 2
            when: {url: {contains: /demo}}
    """)
    c = contact(
        activities=[
            act("page_view", 20, url="/demo"),
            act("email_click", 0, url="/demo"),
            act("page_view", 10, url="/demo"),
            act("email_click", 30, url="/demo"),
        ]
    )
    assert score1(m, c).reasons[0].points == pytest.approx(30)


def test_max_points_caps_absolute_total_including_negatives() -> None:
    m = model("""
        rules:
          - id: pos
            activity: email_open
            points: 5
            max_points: 12
          - id: neg
            activity: unsubscribe
            points: -10
            max_points: 15
    """)
    c = contact(activities=[act("email_open")] * 4 + [act("unsubscribe")] * 3)
    assert rule_points(score1(m, c)) == {"pos": 12, "neg": -15}


def test_negative_property_points() -> None:
    m = model("""
        rules:
          - id: small
            points: -7
            when: {employees: {max: 9}}
    """)
    r = score1(m, contact(props={"employees": 3}))
    assert r.score == -7
    assert r.exact == -7


DISQ = """
    rules:
      - id: title
        points: 30
        when: {title: {contains: ceo}}
    disqualifiers:
      - id: student
        when: {occupation: Student}
      - id: competitor
        when: {email_domain: [rival.io]}
      - id: bounced
        activity: hard_bounce
"""


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"props": {"title": "CEO", "occupation": "STUDENT"}}, "student"),
        ({"props": {"title": "CEO"}, "email": "x@Rival.io"}, "competitor"),
        ({"props": {"title": "CEO"}, "activities": [act("hard_bounce", 3)]}, "bounced"),
    ],
)
def test_disqualifiers(kwargs: dict[str, Any], rule: str | None) -> None:
    m = model(DISQ)
    r = score1(m, contact(**kwargs))
    assert (r.score, r.tier, r.disqualified, r.mql) == (0, "disqualified", True, False)
    assert [x.rule for x in r.reasons] == [rule]
    assert r.components == {"fit": 0, "engagement": 0, "account": 0}


def test_future_disqualifying_activity_is_ignored() -> None:
    m = model(DISQ)
    r = score1(m, contact(props={"title": "CEO"}, activities=[act("hard_bounce", -1)]))
    assert r.score == 30 and not r.disqualified


def test_decay_half_life_and_rule_override() -> None:
    m = model("""
        half_life_days: 10
        rules:
          - id: open
            activity: email_open
            points: 8
          - id: unsub
            activity: unsubscribe
            points: -10
            half_life_days: none
          - id: visit
            activity: page_view
            points: 8
            half_life_days: 20
    """)
    c = contact(
        activities=[
            act("email_open", 10),
            act("email_open", 20),
            act("unsubscribe", 40),
            act("page_view", 20),
        ]
    )
    pts = rule_points(score1(m, c))
    assert pts["open"] == pytest.approx(4 + 2)
    assert pts["unsub"] == -10
    assert pts["visit"] == pytest.approx(4)


def test_no_model_decay_by_default() -> None:
    m = model("rules: [{id: o, activity: email_open, points: 8}]")
    assert score1(m, contact(activities=[act("email_open", 400)])).score == 8


def test_future_activities_are_ignored() -> None:
    m = model("rules: [{id: o, activity: email_open, points: 8}]")
    c = contact(activities=[act("email_open", -0.01), act("email_open", 0)])
    assert score1(m, c).score == 8
    # replay: the same contact scored earlier sees less
    assert score_batch(m, [c], AS_OF - timedelta(days=1))[0].score == 0


INACTIVE = """
    engagement_types: [email_open, page_view]
    inactivity:
      id: dormant
      after_days: 90
      points: -10
"""


@pytest.mark.parametrize(
    ("kwargs", "penalty"),
    [
        ({"activities": [act("email_open", 91)]}, True),
        ({"activities": [act("email_open", 89)]}, False),
        ({"activities": [act("email_open", 91), act("page_view", 5)]}, False),
        # unsubscribe is not engagement: still dormant
        ({"activities": [act("email_open", 91), act("unsubscribe", 1)]}, True),
        ({"created_at": "2026-01-01T00:00:00Z"}, True),
        ({"created_at": "2026-11-01T00:00:00Z"}, False),
        # counted from the later of the newest engagement and created_at
        ({"created_at": "2026-01-01T00:00:00Z", "activities": [act("page_view", 3)]}, False),
        ({"created_at": "2026-11-01T00:00:00Z", "activities": [act("page_view", 200)]}, False),
        ({"created_at": "2026-01-01T00:00:00Z", "activities": [act("page_view", 200)]}, True),
        ({}, False),  # nothing known: no penalty
    ],
)
def test_inactivity(kwargs: dict[str, Any], penalty: bool) -> None:
    r = score1(model(INACTIVE), contact(**kwargs))
    assert (r.score == -10) is penalty
    if penalty:
        assert r.reasons[0].rule == "dormant"


def test_default_engagement_excludes_unsubscribe() -> None:
    m = model("""
        inactivity: {after_days: 30, points: -5}
    """)
    assert score1(m, contact(activities=[act("unsubscribe", 1), act("chat", 40)])).score == -5
    assert score1(m, contact(activities=[act("chat", 1)])).score == 0


def test_velocity() -> None:
    m = model("""
        velocity: {id: fast, min_activities: 3, within_days: 7, points: 10}
    """)
    three = [act("email_open", 1), act("page_view", 2), act("chat", 6.9)]
    assert score1(m, contact(activities=three)).score == 10
    assert score1(m, contact(activities=[*three[:2], act("chat", 7.1)])).score == 0
    assert score1(m, contact(activities=[*three[:2], act("unsubscribe", 1)])).score == 0
    assert score1(m, contact(activities=[*three[:2], act("chat", -1)])).score == 0
