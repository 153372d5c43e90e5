"""Per-contact scoring: disqualifiers, fit rules, activity rules (decay, caps,
exclusive groups), inactivity and velocity. Account-level signals are added
by ``accounts.py``; this module knows nothing about other contacts.

Time contract: ``as_of_ts`` (epoch seconds) is the only clock. Activities with
``ts > as_of_ts`` are ignored everywhere, so replaying an old ``as_of`` gives
the score the contact had then. An activity's decayed points are
``points * 0.5 ** (age_days / half_life_days)``.
Caps: with ``max_count`` only the newest ``max_count`` matching occurrences
count; ``max_points`` caps the absolute total of the rule.
Exclusive groups: among the rules of one group that fired, only the one with
the highest (decayed, capped) points counts (ties: first declared).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .compiler import DAY, DEFAULT_NON_ENGAGEMENT, ActRule, CompiledModel
from .types import Activity, Contact, Reason

__all__ = ["Partial", "score_contact"]


@dataclass(slots=True)
class Partial:
    """Per-contact result before account signals."""

    contact: Contact
    disqualifier: str | None
    fit: float
    engagement: float
    reasons: list[tuple[int, Reason]]  # (declaration order, reason)
    newest_engagement: float | None


def _matching(r: ActRule, acts: tuple[Activity, ...], as_of: float, limit: int) -> list[float]:
    """Timestamps of the (newest first, at most ``limit`` if > 0) activities
    in ``acts`` that match ``r``. The condition test is inlined for speed."""
    out: list[float] = []
    op = r.op
    if op == 1:
        key, lit = r.key, r.lit
        for a in acts:
            v = a.norm.get(key)
            if v is not None and lit in v and a.ts <= as_of:
                out.append(a.ts)
                if len(out) == limit:
                    break
    elif op == 2:
        key, lit = r.key, r.lit
        for a in acts:
            if a.norm.get(key) == lit and a.ts <= as_of:
                out.append(a.ts)
                if len(out) == limit:
                    break
    else:
        pred = r.pred
        for a in acts:
            if a.ts <= as_of and (pred is None or pred(a)):
                out.append(a.ts)
                if len(out) == limit:
                    break
    return out


def _activity_rule(r: ActRule, c: Contact, as_of: float) -> tuple[float, int]:
    """(total points, counted occurrences) of one activity rule."""
    by_type = c.by_type
    limit = r.max_count
    if len(r.types) == 1:
        acts = by_type.get(r.types[0])
        if not acts:
            return 0.0, 0
        stamps = _matching(r, acts, as_of, limit)
    else:
        stamps = []
        for t in r.types:
            acts = by_type.get(t)
            if acts:
                stamps += _matching(r, acts, as_of, limit)
        if limit and len(stamps) > limit:
            stamps.sort(reverse=True)
            del stamps[limit:]
    n = len(stamps)
    if not n:
        return 0.0, 0
    k = r.k
    if k:
        exp = math.exp
        total = r.points * sum([exp(k * (ts - as_of)) for ts in stamps])
    else:
        total = r.points * n
    mp = r.max_points
    if mp is not None and abs(total) > mp:
        total = math.copysign(mp, total)
    return total, n


def _disqualifier(m: CompiledModel, c: Contact, as_of: float) -> str | None:
    for d in m.disq_contact:
        if d.contact_pred is not None and d.contact_pred(c):
            return d.id
    for d in m.disq_activity:
        pred = d.activity_pred
        for t in d.types or ():
            for a in c.by_type.get(t, ()):
                if a.ts <= as_of and (pred is None or pred(a)):
                    return d.id
    return None


def _best_per_group(m: CompiledModel, hits: list[tuple[int, Reason]]) -> list[tuple[int, Reason]]:
    spec_rules = m.spec.rules
    best: dict[str, tuple[int, Reason]] = {}
    out: list[tuple[int, Reason]] = []
    for idx, reason in hits:
        g = spec_rules[idx].group
        if g is None:
            out.append((idx, reason))
            continue
        cur = best.get(g)
        if cur is None or reason.points > cur[1].points or (
                reason.points == cur[1].points and idx < cur[0]):
            best[g] = (idx, reason)
    out.extend(best.values())
    return out


def score_contact(m: CompiledModel, c: Contact, as_of: float) -> Partial:
    """Score one contact without account signals (see module docstring)."""
    newest: float | None = None
    spec = m.spec
    # Engagement recency (used by inactivity, velocity and multi-stakeholder).
    vel = spec.velocity
    vel_from = as_of - vel.within_days * DAY if vel is not None else 0.0
    recent = 0
    eng_in = m.engagement_types
    for t, acts in c.by_type.items():
        if (t not in eng_in) if eng_in is not None else (t in DEFAULT_NON_ENGAGEMENT):
            continue
        for a in acts:  # newest first
            ts = a.ts
            if ts > as_of:
                continue
            if newest is None or ts > newest:
                newest = ts
            if vel is None or ts < vel_from:
                break
            recent += 1
    dq = _disqualifier(m, c, as_of)
    if dq is not None:
        return Partial(c, dq, 0.0, 0.0, [(-1, Reason(dq, 0.0, 1, "disqualifier"))], newest)
    hits: list[tuple[int, Reason]] = []
    for pr in m.prop_rules:
        if pr.pred(c):
            hits.append((pr.index, Reason(pr.id, pr.points, 1, "fit")))
    for ar in m.act_rules:
        total, n = _activity_rule(ar, c, as_of)
        if n:
            hits.append((ar.index, Reason(ar.id, total, n, "engagement")))
    if m.grouped and len(hits) > 1:
        hits = _best_per_group(m, hits)
    fit = 0.0
    eng = 0.0
    for _, r in hits:
        if r.component == "fit":
            fit += r.points
        else:
            eng += r.points
    base = len(spec.rules)
    ina = spec.inactivity
    if ina is not None:
        last = newest if newest is not None else c.created_ts
        if last is not None and as_of - last > ina.after_days * DAY:
            eng += ina.points
            hits.append((base, Reason(ina.id, ina.points, 1, "engagement")))
    if vel is not None and recent >= vel.min_activities:
        eng += vel.points
        hits.append((base + 1, Reason(vel.id, vel.points, 1, "engagement")))
    return Partial(c, None, fit, eng, hits, newest)
