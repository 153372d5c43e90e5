"""Hypothesis properties of buying groups: adding engagement to a committee
member never lowers completeness, committee engagement or any contact's score
(condition-matched personas, positive points; with a rule on rising momentum
the added engagement is recent, see ``syncd/core/buying_group.py``). The
model has no inactivity rule: an old activity added to a contact with no
other history starts that per-contact penalty, which is not the buying
group's doing."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from syncd.core import Activity, CompiledModel, Contact, compile_model, score_batch
from syncd.core.buying_group import activity_points, contact_facts
from syncd.modelfile import parse_model
from tests.kit.scoring import AS_OF

NOW = AS_OF.timestamp()
DAY = 86400.0

MODEL = """
name: bg
half_life_days: 30
tiers: [{name: low}, {name: high, min: 40}]
mql_tier: high
engagement_types: [page_view, email_open, email_click, webinar_attended, demo_request]
rules:
  - {id: title.exec, group: t, points: 20, when: {title: {regex: '\\b(ceo|cfo|vp)\\b'}}}
  - {id: title.mgr, group: t, points: 10, when: {title: {regex: '\\b(manager|director)\\b'}}}
  - {id: pricing, activity: page_view, points: 15, max_count: 2, when: {url: {contains: /pricing}}}
  - {id: demo, activity: [email_click, page_view], points: 25, max_count: 2,
     when: {url: {contains: /demo}}}
  - {id: open, activity: email_open, points: 3, max_points: 9}
  - {id: webinar, activity: webinar_attended, points: 20, half_life_days: 7}
  - {id: demo_request, activity: demo_request, points: 30, max_count: 1}
  - {id: unsub, activity: unsubscribe, points: -10, half_life_days: none}
disqualifiers: [{id: student, when: {occupation: Student}}]
velocity: {min_activities: 3, within_days: 7, points: 5}
account:
  multi_stakeholder: {min_contacts: 2, within_days: 30, points: 5}
  buying_group:
    window_days: 30
    min_points: 10
    personas:
      - {id: economic_buyer, required: true, weight: 3, when: {title: {regex: '\\b(ceo|cfo)\\b'}}}
      - {id: champion, required: true, weight: 2, when: {title: {regex: '\\bdirector\\b'}}}
      - {id: evaluator, required: true, when: {title: {regex: '\\b(engineer|architect)\\b'}}}
      - {id: user, when: {department: Sales}}
    points:
      - {id: bg.half, min_completeness: 50, points: 10}
      - {id: bg.full, min_completeness: 100, points: 15, to: account}
      - {id: bg.eb, engaged: economic_buyer, points: 5, to: members}
      - {id: bg.busy, min_committee_engagement: 60, points: 5, to: account}
      {momentum}
    max_points: 25
"""

TITLES = ["CEO", "CFO", "VP Sales", "Sales Director", "Engineer", "Architect", "Intern", "Manager"]
POSITIVE = [
    ("page_view", {"url": "/pricing"}),
    ("email_open", {}),
    ("webinar_attended", {}),
    ("email_click", {"url": "/demo"}),
    ("page_view", {"url": "/demo"}),
    ("demo_request", {}),
]
OTHER = [("unsubscribe", {}), ("page_view", {"url": "/blog"})]


def _compile(momentum: str) -> CompiledModel:
    text = textwrap.dedent(MODEL).replace("{momentum}", momentum)
    return compile_model(parse_model(text, "bg.yaml", {}))


PLAIN = _compile("")
RISING = _compile("- {id: bg.rising, momentum: rising, points: 5, to: account}")

activity = st.builds(
    lambda kind, age: Activity(kind[0], NOW - age * DAY, kind[1]),
    st.sampled_from(POSITIVE + OTHER),
    st.floats(0, 90),
)
person = st.tuples(
    st.sampled_from(TITLES),
    st.sampled_from(["Sales", "IT", None]),
    st.booleans(),
    st.lists(activity, max_size=6),
)
account = st.lists(person, min_size=1, max_size=6)


Person = tuple[str, str | None, bool, list[Activity]]


def build(people: list[Person], extra: dict[int, Activity] | None = None) -> list[Contact]:
    out = []
    for i, (title, dept, student, acts) in enumerate(people):
        props: dict[str, Any] = {
            "title": title,
            **({"department": dept} if dept else {}),
            **({"occupation": "Student"} if student and i % 3 == 2 else {}),
        }
        more = (extra[i],) if extra and i in extra else ()
        out.append(
            Contact(id=f"c{i}", email=f"p{i}@acme.io", properties=props, activities=(*acts, *more))
        )
    return out


@pytest.mark.parametrize(
    ("m", "max_age"), [(PLAIN, 80.0), (RISING, 13.9)], ids=["any-age", "recent-with-momentum-rule"]
)
@settings(max_examples=120, deadline=None)
@given(people=account, pick=st.integers(0, 5), added=st.sampled_from(POSITIVE), age=st.floats(0, 1))
def test_adding_engagement_to_a_member_never_lowers_completeness_or_scores(
    m: CompiledModel,
    max_age: float,
    people: list[Person],
    pick: int,
    added: tuple[str, dict[str, Any]],
    age: float,
) -> None:
    before = score_batch(m, build(people), AS_OF)
    members = [i for i, r in enumerate(before) if r.persona is not None]
    assume(members)
    who = members[pick % len(members)]
    new = Activity(added[0], NOW - age * max_age * DAY, added[1])
    after = score_batch(m, build(people, {who: new}), AS_OF)
    g0, g1 = before[0].buying_group, after[0].buying_group
    assert g0 is not None and g1 is not None
    assert g1.completeness >= g0.completeness
    assert g1.committee_engagement >= g0.committee_engagement - 1e-9
    assert set(g0.engaged) <= set(g1.engaged)
    for r0, r1 in zip(before, after, strict=True):
        assert r1.exact >= r0.exact - 1e-9, (r0, r1)


@settings(max_examples=60, deadline=None)
@given(people=account, order=st.randoms(use_true_random=False))
def test_results_do_not_depend_on_input_order(people: list[Person], order: Any) -> None:
    cs = build(people)
    shuffled = list(cs)
    order.shuffle(shuffled)
    a = {r.id: r for r in score_batch(RISING, cs, AS_OF)}
    b = {r.id: r for r in score_batch(RISING, shuffled, AS_OF)}
    assert a == b


@settings(max_examples=80, deadline=None)
@given(people=account)
def test_contact_facts_are_activity_points_of_their_windows(people: list[Person]) -> None:
    g = RISING.buying_group
    assert g is not None
    cut = NOW - g.recent
    for c in build(people):
        facts = contact_facts(RISING, c, NOW)
        assert facts is not None
        if not facts.matches:
            continue
        plan = RISING.plan
        assert facts.window == pytest.approx(
            activity_points(plan, c, NOW - g.window, math.inf, NOW)
        )
        assert facts.recent == pytest.approx(
            activity_points(plan, c, cut, math.inf, NOW, decay=False)
        )
        assert facts.prior == pytest.approx(
            activity_points(plan, c, cut - g.prior, cut, NOW, decay=False)
        )
