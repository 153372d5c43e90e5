"""The fast path (``plan.py`` + ``scoring.py``) agrees with the reference
(``tests.kit.reference`` on ``matchers.py``) on random models and contacts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from syncd.core import (
    Account,
    Activity,
    CompiledModel,
    Contact,
    ModelError,
    compile_model,
    finish_batch,
    parse_model_data,
    score_batch,
    score_contact,
)
from syncd.core.matchers import activity_matcher, compile_regex, contact_matcher
from syncd.core.plan import check, simple_test
from syncd.core.schema import Condition
from syncd.core.types import Scalar
from tests.kit.reference import reference_partial
from tests.kit.scoring import AS_OF

NOW = AS_OF.timestamp()
DAY = 86400.0
FIELDS = ["title", "industry", "employees", "flag"]
TYPES = ["page_view", "email_open", "form_submit", "unsubscribe"]
ATTRS = ["url", "kind", "value"]
#: Values and literals overlap on purpose (substrings, accents, case, numbers as text).
TEXTS = [
    "CEO",
    "ceo",
    "Müdür",
    "Genel MÜDÜR",
    "mudur",
    "Senior VP Sales",
    "sales",
    "vp",
    "/pricing",
    "https://v.io/pricing?x",
    "/demo/x",
    "demo",
    "Technology",
    "tech",
    "case_study",
    "İstanbul",
    "istanbul",
    "1,200",
    "120",
    "12.5",
    "true",
    "",
    " ",
    "x",
]
NUMBERS: list[Scalar] = [0, 1, 12.5, 120, 1200, -3, 1e3]
values: st.SearchStrategy[Scalar] = st.one_of(
    st.sampled_from(TEXTS), st.sampled_from(NUMBERS), st.booleans()
)
literals: st.SearchStrategy[Scalar] = st.one_of(
    st.sampled_from([*TEXTS[:-3], "1200"]), st.sampled_from(NUMBERS), st.booleans()
)
PATTERNS = [r"\bceo\b", "mud.r", "^vp", "pric", r"\d+", "(demo|pricing)$", "İST", "a|b"]


def condition() -> st.SearchStrategy[Any]:
    bounds = st.sampled_from([None, -5, 0, 12.5, 100, 1000])
    ops: dict[str, st.SearchStrategy[Any]] = {
        "equals": literals,
        "not_equals": literals,
        "in": st.lists(literals, min_size=1, max_size=3),
        "not_in": st.lists(literals, min_size=1, max_size=3),
        "contains": st.one_of(
            st.sampled_from(TEXTS[:-3]),
            st.lists(st.sampled_from(TEXTS[:-3]), min_size=1, max_size=2),
        ),
        "not_contains": st.sampled_from(TEXTS[:-3]),
        "regex": st.one_of(
            st.sampled_from(PATTERNS), st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=2)
        ),
        "min": bounds,
        "max": bounds,
        "exists": st.booleans(),
    }
    shorthand = st.one_of(literals, st.lists(literals, min_size=1, max_size=3))
    chosen = st.lists(st.sampled_from(sorted(ops)), min_size=1, max_size=2, unique=True)
    full = chosen.flatmap(lambda names: st.fixed_dictionaries({n: ops[n] for n in names}))
    return st.one_of(
        shorthand,
        full.map(lambda d: {k: v for k, v in d.items() if v is not None} or {"exists": True}),
    )


def when(fields: list[str], max_size: int, min_size: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.sampled_from(fields), condition(), min_size=min_size, max_size=max_size
    )


points = st.sampled_from([-10, -2.5, 0, 0.1, 0.2, 1, 3.3, 5, 10, 20])
prop_rule = st.fixed_dictionaries(
    {"points": points, "when": when([*FIELDS, "account.tier"], 2, 1)},
    optional={"group": st.sampled_from(["p1", "p2"])},
)
act_rule = st.fixed_dictionaries(
    {
        "points": points,
        "activity": st.one_of(
            st.sampled_from(TYPES),
            st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True),
        ),
        "when": when(ATTRS, 2),
    },
    optional={
        "group": st.just("a1"),
        "max_count": st.integers(1, 3),
        "max_points": st.sampled_from([1, 4.5, 15]),
        "half_life_days": st.sampled_from(["none", 7, 30.5]),
    },
)
disqualifier = st.one_of(
    st.fixed_dictionaries({"when": when(FIELDS, 1, 1)}),
    st.fixed_dictionaries({"activity": st.sampled_from(TYPES), "when": when(ATTRS, 1)}),
)


@st.composite
def models(draw: st.DrawFn) -> CompiledModel:
    rules = draw(st.lists(st.one_of(prop_rule, act_rule), max_size=7))
    disqs = draw(st.lists(disqualifier, max_size=2))
    data: dict[str, Any] = {
        "name": "random",
        "tiers": [{"name": "low"}, {"name": "mid", "min": 10}, {"name": "high", "min": 30.5}],
        "mql_tier": "mid",
        "half_life_days": draw(st.sampled_from(["none", 14, 90])),
        "rules": [{"id": f"r{i}", **r} for i, r in enumerate(rules)],
        "disqualifiers": [{"id": f"d{i}", **d} for i, d in enumerate(disqs)],
    }
    if draw(st.booleans()):
        data["inactivity"] = {"after_days": draw(st.sampled_from([10, 60])), "points": -7}
    if draw(st.booleans()):
        data["velocity"] = {
            "min_activities": draw(st.integers(1, 4)),
            "within_days": draw(st.sampled_from([3, 30])),
            "points": 4,
        }
    if draw(st.booleans()):
        data["engagement_types"] = draw(st.lists(st.sampled_from(TYPES), max_size=3))
    try:
        return compile_model(parse_model_data(data, {}, "random.yaml"))
    except ModelError:
        assume(False)
        raise


activities = st.builds(
    lambda t, age, attrs: Activity(t, NOW - age * DAY, attrs),
    # ages on the velocity (3, 30), inactivity (10, 60) and as-of boundaries too
    st.sampled_from(TYPES),
    st.sampled_from([-1, 0, 0.5, 2, 3, 9, 10, 30, 40, 60, 200]),
    st.dictionaries(st.sampled_from(ATTRS), values, max_size=3),
)
contacts = st.builds(
    lambda i, props, acc, acts, created: Contact(
        id=f"c{i}",
        properties=props,
        activities=tuple(acts),
        account=None if acc is None else Account(id="a1", properties=acc),
        created_ts=None if created is None else NOW - created * DAY,
    ),
    st.integers(0, 10**6),
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=4),
    st.none() | st.dictionaries(st.sampled_from(["tier", "title"]), values, max_size=2),
    st.lists(activities, max_size=8),
    st.none() | st.sampled_from([1, 10, 30, 60, 300]),
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(), st.lists(contacts, min_size=1, max_size=5, unique_by=lambda c: c.id))
def test_fast_path_equals_reference(m: CompiledModel, cs: list[Contact]) -> None:
    ts = NOW
    fast = [score_contact(m, c, ts) for c in cs]
    reference = [reference_partial(m, c, ts) for c in cs]
    assert fast == reference
    results = score_batch(m, cs, AS_OF)
    assert results == finish_batch(m, reference, AS_OF)
    assert [(r.score, r.tier) for r in results] == [
        (r.score, r.tier) for r in finish_batch(m, reference, AS_OF)
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=2), st.sampled_from(TEXTS))
def test_memoised_regex_equals_matcher(patterns: list[str], text: str) -> None:
    found = compile_regex(patterns)
    assert found(text) == found(text)  # the plan's per-value memo relies on purity


@st.composite
def one_test_condition(draw: st.DrawFn) -> tuple[dict[str, Any], Scalar | None]:
    """A value (or none) and a one-operator condition whose literals are often
    pieces of that value (substrings, other case or accents)."""
    value = draw(st.none() | values)
    pool = list(TEXTS)
    if isinstance(value, str):
        pool += [value[i:j] for i in range(len(value)) for j in range(i + 1, len(value) + 1)]
        pool += [value.upper(), value.lower()]
    lit = st.one_of(st.sampled_from(pool), st.sampled_from(NUMBERS), st.booleans())
    bound = st.sampled_from([-5, 0, 12, 12.5, 120, 1200])
    op = draw(st.sampled_from(["equals", "not_equals", "in", "contains", "regex", "range"]))
    cond: dict[str, Any]
    if op == "in":
        cond = {"in": draw(st.lists(lit, min_size=1, max_size=3))}
    elif op == "contains":
        cond = {"contains": draw(st.sampled_from(pool))}
    elif op == "regex":
        cond = {"regex": draw(st.sampled_from(PATTERNS))}
    elif op == "range":
        cond = draw(st.fixed_dictionaries({}, optional={"min": bound, "max": bound}))
    else:
        cond = {op: draw(lit)}
    return cond, value


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(one_test_condition(), st.booleans())
def test_plan_test_equals_matcher(
    case: tuple[dict[str, Any], Scalar | None], on_activity: bool
) -> None:
    """One random condition on one random value (or none): the plan's test
    form, where it has one, means what the matcher means."""
    raw, value = case
    try:
        cond = Condition.model_validate(raw)
    except ValidationError:
        assume(False)
        raise
    when = {"f": cond}
    test = simple_test(when)
    assume(test is not None)
    assert test is not None
    attrs: dict[str, Scalar] = {} if value is None else {"f": value}
    if on_activity:
        a = Activity("t", NOW, attrs)
        pred = activity_matcher(when)
        assert pred is not None
        assert check(test, a.attrs, a.norm, a) == pred(a)
    else:
        c = Contact(id="c", properties=attrs)
        assert check(test, c.raw, c.norm, c) == contact_matcher(when)(c)
