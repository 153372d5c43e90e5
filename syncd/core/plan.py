"""``build_plan``: the flat, tuple-based form of a ``CompiledModel`` that the
hot loop in ``scoring.py`` walks, built from a ``ModelSpec`` once per model
(by ``compile_model``); pure data plus a few bounded memo tables. Decay
constants (``k`` in ``exp(-k * age_seconds)``; 0 = no decay) are computed here.

Tests are triples ``(op, key, data)`` evaluated by ``check`` (the hot loop
inlines the common ones). They mean exactly what the matchers in
``matchers.py`` mean for the same condition; anything not listed below keeps
the matcher itself (``OP_PRED``, ``data`` is the predicate on the activity or
contact):

* ``OP_CONTAINS``: ``data in norms[key]`` (``data`` non-empty; missing: no)
* ``OP_EQ`` / ``OP_NE``: ``norms.get(key) == data`` / ``!= data``
* ``OP_IN``: ``norms.get(key) in data`` (a frozenset of text)
* ``OP_REGEX``: ``data[0](norms[key])`` (``compile_regex``), memoised per
  value in ``data[1]`` (a pure function of the value, so invisible)
* ``OP_RANGE``: ``lo <= to_number(raws.get(key)) <= hi`` with ``data = (lo, hi)``
* ``OP_ALL``: always (an activity rule without conditions)

Reasons whose fields never vary (fit rules, disqualifiers, inactivity,
velocity, priority) are built once here and shared: they are frozen, so
sharing is unobservable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .matchers import (
    ActivityPredicate,
    activity_matcher,
    compile_regex,
    contact_matcher,
    is_number_literal,
    literal_text,
)
from .schema import Condition, HalfLife, ModelSpec
from .text import normalise, to_number
from .types import Reason

__all__ = [
    "DAY",
    "DEFAULT_NON_ENGAGEMENT",
    "MEMO_MAX",
    "Plan",
    "activity_targets",
    "build_plan",
    "check",
    "targets_for",
]

OP_PRED, OP_CONTAINS, OP_EQ, OP_NE, OP_IN, OP_REGEX, OP_RANGE, OP_ALL = range(8)
MEMO_MAX = 65536  # entries per memo table before it is cleared
DAY = 86400.0
#: Activity types that do not count as engagement unless a model lists
#: ``engagement_types`` explicitly.
DEFAULT_NON_ENGAGEMENT = frozenset({"unsubscribe", "email_bounce", "hard_bounce", "spam_report"})

Test = tuple[int, str, Any]
#: Activity rule slot (rules in index order): (types, max_count (0: none), k,
#: points, max_points, index, id); ``k`` is the decay constant per second (0: none).
ActMeta = tuple[tuple[str, ...], int, float, float, float | None, int, str]
#: A rule of an activity type: its slot (``ActMeta`` index).
Target = int
#: Per activity type: (kind, field, memo, tests). kind 1: the hits are a
#: function of ``norm.get(field)``, memoised in ``memo`` (no conditions at
#: all: ``field`` is ""); kind 2: evaluate each test.
TypePlan = tuple[int, str, dict[str | None, tuple[Target, ...]], tuple[tuple[Target, Test], ...]]
#: Property rule: (index, test, shared reason, points).
PropItem = tuple[int, Test, Reason, float]
#: Activity disqualifier: (id, activity types, predicate or None for any activity).
ActDisq = tuple[str, tuple[str, ...], ActivityPredicate | None]


#: Tests that read only ``norms[key]`` (so their outcome is memoisable per value).
_MEMO_OPS = frozenset({OP_ALL, OP_CONTAINS, OP_EQ, OP_NE, OP_IN, OP_REGEX})


def targets_for(tp: TypePlan, value: str | None) -> tuple[Target, ...]:
    """Memoised hits of a kind-1 type plan for field value ``value``."""
    _kind, fld, memo, tests = tp
    norms = {} if value is None else {fld: value}
    hits = tuple(tg for tg, t in tests if check(t, norms, norms, None))
    if len(memo) >= MEMO_MAX:
        memo.clear()
    memo[value] = hits
    return hits


def activity_targets(tp: TypePlan, a: Any) -> tuple[Target, ...]:
    """The rule slots activity ``a`` (of the type ``tp`` plans) matches:
    memoised per field value (kind 1) or each test evaluated (kind 2)."""
    kind, fld, memo, tests = tp
    if kind == 1:
        v = a.norm.get(fld)
        targets = memo.get(v)
        return targets_for(tp, v) if targets is None else targets
    return tuple(tg for tg, test in tests if check(test, a.attrs, a.norm, a))


def simple_test(when: Mapping[str, Condition]) -> Test | None:
    """The ``(op, key, data)`` form of a one-field, one-operator condition
    (field not ``account.*``), or ``None`` when it has no such form."""
    if len(when) != 1:
        return None
    ((key, cond),) = when.items()
    if key.startswith("account."):
        return None
    ops = {k for k, v in cond if v is not None}
    if ops <= {"min", "max"} and ops:
        lo = float("-inf") if cond.min is None else cond.min
        hi = float("inf") if cond.max is None else cond.max
        return OP_RANGE, key, (lo, hi)
    if len(ops) != 1:
        return None
    (op,) = ops
    if op == "equals" and cond.equals is not None and not is_number_literal(cond.equals):
        return OP_EQ, key, literal_text(cond.equals)
    ne = cond.not_equals
    if op == "not_equals" and ne is not None and not is_number_literal(ne):
        return OP_NE, key, literal_text(ne)
    if op == "in_" and cond.in_ is not None and not any(is_number_literal(x) for x in cond.in_):
        texts = frozenset(literal_text(x) for x in cond.in_)
        if len(texts) == 1:
            return OP_EQ, key, next(iter(texts))
        return OP_IN, key, texts
    if op == "contains" and cond.contains is not None and len(cond.contains) == 1:
        sub = normalise(cond.contains[0])
        if sub:
            return OP_CONTAINS, key, sub
    if op == "regex" and cond.regex is not None:
        memo: dict[str, bool] = {}
        return OP_REGEX, key, (compile_regex(cond.regex), memo)
    return None


def check(t: Test, raws: Mapping[str, Any], norms: Mapping[str, str], obj: object) -> bool:
    """Evaluate test ``t`` on ``raws``/``norms``; ``obj`` (the activity or
    contact) is what an ``OP_PRED`` predicate receives."""
    op, key, data = t
    res: bool
    if op == OP_EQ:
        res = norms.get(key) == data
    elif op == OP_CONTAINS:
        res = data in norms.get(key, "")
    elif op == OP_NE:
        res = norms.get(key) != data
    elif op == OP_IN:
        res = norms.get(key) in data
    else:
        return _check_rest(op, key, data, raws, norms, obj)
    return res


def _check_rest(
    op: int, key: str, data: Any, raws: Mapping[str, Any], norms: Mapping[str, str], obj: object
) -> bool:
    if op == OP_REGEX:
        v = norms.get(key)
        if v is None:
            return False
        found, memo = data
        hit: bool | None = memo.get(v)
        if hit is None:
            hit = found(v)
            if len(memo) >= MEMO_MAX:
                memo.clear()
            memo[v] = hit
        return hit
    if op == OP_RANGE:
        n = to_number(raws.get(key))
        return n is not None and data[0] <= n <= data[1]
    if op == OP_ALL:
        return True
    return data(obj)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Plan:
    """See module docstring. ``fast`` is False when an activity rule is in a
    group (``scoring._general`` resolves such groups); ``props`` are the
    ungrouped property rules, ``groups`` the property-only groups, members
    by (-points, index); ``all_props`` every property rule in index order."""

    fast: bool
    grouped: bool  # some rule has a group
    eng_types: frozenset[str]
    eng_inclusive: bool  # True: eng_types lists engagement; False: the excluded ones
    disq_contact: tuple[tuple[Test, Reason], ...]
    disq_activity: tuple[ActDisq, ...]
    props: tuple[PropItem, ...]
    groups: tuple[tuple[PropItem, ...], ...]
    all_props: tuple[PropItem, ...]
    prop_of: Mapping[int, PropItem]  # every property rule by its index
    act_meta: tuple[ActMeta, ...]
    act_types: Mapping[str, TypePlan]
    reason_memo: dict[tuple[int, int, float], Reason]  # constant activity reasons
    inactivity: tuple[float, float, Reason] | None  # (after seconds, points, reason)
    velocity: tuple[float, int, float, Reason] | None  # (within s, min, points, reason)
    priority: tuple[float, Reason] | None
    company_memo: dict[str, bool]
    domain_memo: dict[str, str]


def _act_test(when: Mapping[str, Condition], pred: ActivityPredicate | None) -> Test:
    t = simple_test(when)
    if t is not None:
        return t
    if pred is None:
        return OP_ALL, "", None
    return OP_PRED, "", pred


def _decay_k(rule_hl: HalfLife | None, model_hl: HalfLife) -> float:
    """Decay constant per second (``exp(-k * age_seconds)``); 0.0: no decay."""
    hl = model_hl if rule_hl is None else rule_hl
    if hl == "none":
        return 0.0
    return math.log(2) / (float(hl) * DAY)


def build_plan(spec: ModelSpec) -> Plan:
    """Flatten ``spec`` (see module docstring). Conditions without a test form
    keep the matcher from ``matchers.py``."""
    rules = spec.rules
    groups_of: dict[str, list[int]] = {}
    for i, r in enumerate(rules):
        if r.group is not None:
            groups_of.setdefault(r.group, []).append(i)
    act_grouped = any(rules[i].activity is not None for ix in groups_of.values() for i in ix)
    fast = not act_grouped

    items: dict[int, PropItem] = {}
    meta: list[ActMeta] = []
    per_type: dict[str, list[tuple[Target, Test]]] = {}
    for i, r in enumerate(rules):
        if r.activity is None:
            t = simple_test(r.when) or (OP_PRED, "", contact_matcher(r.when))
            items[i] = (i, t, Reason(r.id, r.points, 1, "fit"), r.points)
            continue
        slot = len(meta)
        meta.append(
            (
                r.activity,
                r.max_count or 0,
                _decay_k(r.half_life_days, spec.half_life_days),
                r.points,
                r.max_points,
                i,
                r.id,
            )
        )
        atest = _act_test(r.when, activity_matcher(r.when))
        for atype in r.activity:
            per_type.setdefault(atype, []).append((slot, atest))
    props = tuple(it for i, it in sorted(items.items()) if rules[i].group is None)
    groups = tuple(
        tuple(sorted((items[i] for i in ix), key=lambda it: (-it[3], it[0])))
        for ix in groups_of.values()
        if all(i in items for i in ix)
    )
    act_types: dict[str, TypePlan] = {}
    for atype, tests in per_type.items():
        ops = {x[1][0] for x in tests}
        keys = {x[1][1] for x in tests if x[1][0] != OP_ALL}
        if ops == {OP_ALL}:  # memo on a field no activity has: always the same hits
            kind, fld = 1, ""
        elif ops <= _MEMO_OPS and len(keys) == 1:
            kind, fld = 1, next(iter(keys))
        else:
            kind, fld = 2, ""
        act_types[atype] = (kind, fld, {}, tuple(tests))

    disq: list[tuple[Test, Reason]] = []
    disq_act: list[ActDisq] = []
    for d in spec.disqualifiers:
        if d.activity is None:
            disq.append(
                (
                    simple_test(d.when) or (OP_PRED, "", contact_matcher(d.when)),
                    Reason(d.id, 0.0, 1, "disqualifier"),
                )
            )
        else:
            disq_act.append((d.id, d.activity, activity_matcher(d.when)))
    eng = spec.engagement_types
    ina = spec.inactivity
    vel = spec.velocity
    prio = spec.account.priority
    return Plan(
        fast=fast,
        grouped=bool(groups_of),
        eng_types=frozenset(eng) if eng is not None else DEFAULT_NON_ENGAGEMENT,
        eng_inclusive=eng is not None,
        disq_contact=tuple(disq),
        disq_activity=tuple(disq_act),
        props=props,
        groups=groups,
        all_props=tuple(it for _, it in sorted(items.items())),
        prop_of=items,
        act_meta=tuple(meta),
        act_types=act_types,
        reason_memo={},
        inactivity=None
        if ina is None
        else (ina.after_days * DAY, ina.points, Reason(ina.id, ina.points, 1, "engagement")),
        velocity=None
        if vel is None
        else (
            vel.within_days * DAY,
            vel.min_activities,
            vel.points,
            Reason(vel.id, vel.points, 1, "engagement"),
        ),
        priority=None
        if prio is None
        else (prio.points, Reason(prio.id, prio.points, 1, "account")),
        company_memo={},
        domain_memo={},
    )
