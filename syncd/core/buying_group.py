"""Buying-group signals of each account and the points they give.

Contracts (all at ``as_of``, from the contacts of one account key, see
``keys.py``; leads join their domain's committee through the key):

* *Activity points* of a contact in a time window are what its activity
  rules give for the activities inside the window alone: same matching,
  ``max_count`` (newest first) and ``max_points`` caps, decayed from
  ``as_of`` (undecayed for momentum). Inactivity and velocity are not
  activity points.
* Personas are assigned by ``personas.assign_personas``. *Members* (the
  committee) are the contacts holding a persona that are not disqualified;
  a member is *engaged* when its activity points within ``window_days``
  (``as_of - window <= ts <= as_of``) reach ``min_points``; a persona is
  engaged when one of its holders is.
* Completeness: ``100 * weight(engaged required) / weight(required)`` (when no
  persona is required, over all personas). Committee engagement: members'
  window points times their persona's weight, summed. Momentum: members'
  undecayed points in the last ``recent_days`` against the ``prior_days``
  before, as weekly rates: ``rising`` when the recent rate exceeds the prior
  one by at least ``min_change_percent`` (or the prior is 0 and the recent
  not), ``falling`` when it is that much lower, else ``flat``.
* Points: each rule whose conditions all hold gives ``points`` (component
  ``account``, its id as reason) to its targets: ``engaged_members``,
  ``members`` or ``account`` (every contact of the account not
  disqualified). With ``max_points``, rules are added in declared order and
  the running total is clamped to ``±max_points`` (a rule clamped to 0 gives
  no reason).
* Monotonicity: adding a positive activity to a member never lowers
  completeness, committee engagement or the recent momentum points; with
  condition-matched personas and rules of positive points that do not ask
  for ``flat``/``falling`` momentum, no contact's points drop. (A
  ``most_engaged`` persona can move to a contact that gained engagement; its
  former holder then drops out unless it matches a later persona.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import exp, nextafter

from .compiler import CompiledModel
from .personas import CompiledGroup, assign_personas
from .plan import new_reason
from .types import BuyingGroupSignals, Contact, Reason, format_points

__all__ = ["GroupOutcome", "activity_points", "evaluate_buying_groups", "group_summary"]

_INF = float("inf")
MAX_SUMMARY = 255


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    """What the buying group gives one contact: its persona, its account's
    signals (``None`` without an account key), its reasons and their sum."""

    persona: str | None
    signals: BuyingGroupSignals | None
    reasons: tuple[Reason, ...]
    points: float


_NOTHING = GroupOutcome(None, None, (), 0.0)


def activity_points(m: CompiledModel, c: Contact, lo: float, hi: float, as_of: float,
                    decay: bool = True) -> float:
    """Activity-rule points of ``c`` from its activities with ``lo <= ts < hi``
    (and ``ts <= as_of``); see module docstring."""
    hi = min(hi, nextafter(as_of, _INF))
    total = 0.0
    by_type = c.by_type
    for ar in m.act_rules:
        pred = ar.pred
        stamps: list[float] = []
        for t in ar.types:
            for a in by_type.get(t, ()):  # newest first
                ts = a.ts
                if ts >= hi:
                    continue
                if ts < lo:
                    break
                if pred is None or pred(a):
                    stamps.append(ts)
        if not stamps:
            continue
        if ar.max_count and len(stamps) > ar.max_count:
            stamps.sort(reverse=True)
            del stamps[ar.max_count:]
        k = ar.k if decay else 0.0
        pts = ar.points * (sum(exp(k * (ts - as_of)) for ts in stamps) if k else len(stamps))
        if ar.max_points is not None and abs(pts) > ar.max_points:
            pts = ar.max_points if pts > 0 else -ar.max_points
        total += pts
    return total


def _trend(g: CompiledGroup, recent: float, prior: float) -> str:
    r_rate = recent / g.recent
    p_rate = prior / g.prior
    if p_rate <= 0:
        return "rising" if r_rate > 0 else "flat"
    if r_rate >= p_rate * (1 + g.min_change):
        return "rising"
    if r_rate <= p_rate * (1 - g.min_change):
        return "falling"
    return "flat"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def group_summary(g: CompiledGroup, completeness: float, engaged: Sequence[str],
                  missing: Sequence[str], momentum: str, limit: int = MAX_SUMMARY) -> str:
    """"Buying group 67%: economic buyer, champion engaged; missing: technical
    evaluator; momentum rising" (labels; momentum only when not flat), at most
    ``limit`` characters."""
    label = {p.id: p.label for p in g.personas}
    pct = format_points(completeness)
    parts = [f"{', '.join(label[x] for x in engaged)} engaged" if engaged else "none engaged"]
    if missing:
        parts.append("missing: " + ", ".join(label[x] for x in missing))
    if momentum != "flat":
        parts.append(f"momentum {momentum}")
    return _clip(f"Buying group {pct}%: " + "; ".join(parts), limit)


def _account(m: CompiledModel, g: CompiledGroup, contacts: Sequence[Contact],
             eligible: Sequence[bool], as_of: float, keyed: bool) -> list[GroupOutcome]:
    since = as_of - g.window
    cache: dict[int, float] = {}

    def window_points(i: int) -> float:
        v = cache.get(i)
        if v is None:
            v = cache[i] = activity_points(m, contacts[i], since, _INF, as_of)
        return v

    personas = g.personas
    held = assign_personas(personas, contacts, eligible, window_points, g.min_points)
    if not keyed:
        return [GroupOutcome(None if h is None else personas[h].id, None, (), 0.0) for h in held]
    members = [i for i, h in enumerate(held) if h is not None and eligible[i]]
    engaged_idx = {i for i in members if window_points(i) >= g.min_points}
    engaged_p = {held[i] for i in engaged_idx}
    required = [pi for pi, p in enumerate(personas) if p.required] or list(range(len(personas)))
    w_all = sum(personas[pi].weight for pi in required)
    w_got = sum(personas[pi].weight for pi in required if pi in engaged_p)
    completeness = 100.0 * w_got / w_all
    committee = 0.0
    recent = prior = 0.0
    cut = as_of - g.recent
    for i in members:
        h = held[i]
        assert h is not None
        committee += personas[h].weight * window_points(i)
        recent += activity_points(m, contacts[i], cut, _INF, as_of, decay=False)
        prior += activity_points(m, contacts[i], cut - g.prior, cut, as_of, decay=False)
    trend = _trend(g, recent, prior)
    engaged_ids = tuple(p.id for pi, p in enumerate(personas) if pi in engaged_p)
    missing = tuple(personas[pi].id for pi in required if pi not in engaged_p)
    signals = BuyingGroupSignals(
        completeness=completeness, engaged=engaged_ids, missing=missing,
        committee_engagement=committee, members=len(members), recent=recent, prior=prior,
        momentum=trend,
        summary=group_summary(g, completeness, engaged_ids, missing, trend))
    fired = [r for r in g.points if (
        (r.min_completeness is None or completeness >= r.min_completeness)
        and (r.engaged is None or all(x in engaged_ids for x in r.engaged))
        and (r.momentum is None or r.momentum == trend)
        and (r.min_committee_engagement is None or committee >= r.min_committee_engagement))]
    member_set = set(members)
    out: list[GroupOutcome] = []
    for i, h in enumerate(held):
        reasons: list[Reason] = []
        total = 0.0
        if eligible[i]:
            for r in fired:
                if r.to == "engaged_members" and i not in engaged_idx:
                    continue
                if r.to == "members" and i not in member_set:
                    continue
                pts = r.points
                if g.max_points is not None:
                    pts = max(-g.max_points, min(g.max_points, total + pts)) - total
                if pts:
                    reasons.append(new_reason(r.id, pts, 1, "account"))
                    total += pts
        out.append(GroupOutcome(None if h is None else personas[h].id, signals,
                                tuple(reasons), total))
    return out


def evaluate_buying_groups(m: CompiledModel, contacts: Sequence[Contact],
                           disqualified: Sequence[bool], as_of: float) -> list[GroupOutcome]:
    """One ``GroupOutcome`` per contact, in input order (see module
    docstring); every contact of ``contacts`` sharing an account key is one
    committee. Empty outcomes when ``m`` has no buying group."""
    g = m.buying_group
    if g is None:
        return [_NOTHING] * len(contacts)
    by_key: dict[str | None, list[int]] = {}
    for i, c in enumerate(contacts):
        by_key.setdefault(c.account_key, []).append(i)
    out: list[GroupOutcome] = [_NOTHING] * len(contacts)
    for key, idx in by_key.items():
        if key is None:
            for i in idx:  # no account: a persona, but no committee
                out[i] = _account(m, g, [contacts[i]], [not disqualified[i]], as_of, False)[0]
            continue
        res = _account(m, g, [contacts[i] for i in idx], [not disqualified[i] for i in idx],
                       as_of, True)
        for i, o in zip(idx, res, strict=True):
            out[i] = o
    return out
