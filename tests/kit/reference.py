"""The reference scorer: docs/scoring.md written as plainly as possible, on the
condition semantics of ``syncd.core.matchers`` (the reference meaning of
every condition). Tests check that the fast path (``plan.py`` +
``scoring.score_contact``) gives the same partial results."""

from __future__ import annotations

from math import copysign, exp, fsum, log

from syncd.core import CompiledModel, Contact, Partial, Reason
from syncd.core.accounts import is_priority
from syncd.core.matchers import activity_matcher, contact_matcher
from syncd.core.plan import DAY, DEFAULT_NON_ENGAGEMENT
from syncd.core.schema import HalfLife, Rule
from syncd.core.usage import DECAY_FLOOR


def _k(rule: HalfLife | None, model: HalfLife) -> float:
    half_life = model if rule is None else rule
    return 0.0 if half_life == "none" else log(2) / (float(half_life) * DAY)


def _rule_reason(m: CompiledModel, r: Rule, c: Contact, as_of: float) -> Reason | None:
    """The reason of one rule on one contact, or ``None`` when it does not fire."""
    if r.activity is None:
        return Reason(r.id, r.points, 1, "fit") if contact_matcher(r.when)(c) else None
    pred = activity_matcher(r.when)
    stamps = sorted(
        (
            a.ts
            for a in c.activities
            if a.type in r.activity and a.ts <= as_of and (pred is None or pred(a))
        ),
        reverse=True,
    )
    if r.max_count:
        stamps = stamps[: r.max_count]
    k = _k(r.half_life_days, m.spec.half_life_days)
    if k and r.points:  # decayed below DECAY_FLOOR points: no longer counts
        stamps = [ts for ts in stamps if ts >= as_of - log(abs(r.points) / DECAY_FLOOR) / k]
    if not stamps:
        return None
    total = r.points * fsum(exp(-k * (as_of - ts)) for ts in stamps)
    if r.max_points is not None and abs(total) > r.max_points:
        total = copysign(r.max_points, total)
    return Reason(r.id, total, len(stamps), "engagement")


def reference_partial(m: CompiledModel, c: Contact, as_of: float) -> Partial:
    """``score_contact(m, c, as_of)`` computed rule by rule."""
    spec = m.spec
    past = [a for a in c.activities if a.ts <= as_of]
    if spec.engagement_types is not None:
        engaging = [a for a in past if a.type in spec.engagement_types]
    else:
        engaging = [a for a in past if a.type not in DEFAULT_NON_ENGAGEMENT]
    newest = max((a.ts for a in engaging), default=None)
    prio = is_priority(m, c)
    for d in spec.disqualifiers:  # contact conditions first, then activities
        if d.activity is None and contact_matcher(d.when)(c):
            return Partial(
                c.id,
                c.account_key,
                prio,
                d.id,
                0.0,
                0.0,
                (Reason(d.id, 0.0, 1, "disqualifier"),),
                newest,
            )
    for d in spec.disqualifiers:
        if d.activity is not None:
            pred = activity_matcher(d.when)
            if any(a.type in d.activity and (pred is None or pred(a)) for a in past):
                return Partial(
                    c.id,
                    c.account_key,
                    prio,
                    d.id,
                    0.0,
                    0.0,
                    (Reason(d.id, 0.0, 1, "disqualifier"),),
                    newest,
                )
    fired: list[tuple[int, Reason]] = []
    for i, r in enumerate(spec.rules):
        reason = _rule_reason(m, r, c, as_of)
        if reason is not None:
            fired.append((i, reason))
    best: dict[str, tuple[int, Reason]] = {}
    for i, reason in fired:  # exclusive groups: highest points, ties first declared
        group = spec.rules[i].group
        if group is not None and (group not in best or reason.points > best[group][1].points):
            best[group] = (i, reason)
    winners = {i for i, _ in best.values()}
    counted = [(i, r) for i, r in fired if spec.rules[i].group is None or i in winners]
    n = len(spec.rules)
    ina, vel = spec.inactivity, spec.velocity
    if ina is not None:
        known = [t for t in (newest, c.created_ts) if t is not None]
        if known and as_of - max(known) > ina.after_days * DAY:
            counted.append((n, Reason(ina.id, ina.points, 1, "engagement")))
    if vel is not None:
        recent = [a for a in engaging if a.ts >= as_of - vel.within_days * DAY]
        if len(recent) >= vel.min_activities:
            counted.append((n + 1, Reason(vel.id, vel.points, 1, "engagement")))
    counted.sort(key=lambda ir: (-abs(ir[1].points), ir[0]))
    reasons = tuple(r for _, r in counted)
    return Partial(
        c.id,
        c.account_key,
        prio,
        None,
        fsum(r.points for r in reasons if r.component == "fit"),
        fsum(r.points for r in reasons if r.component != "fit"),
        reasons,
        newest,
    )
