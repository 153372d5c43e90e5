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
* Monotonicity, with condition-matched personas: adding a positive activity
  to a member never lowers completeness, committee engagement or the recent
  momentum points; with rules of positive points (and, for a rule on rising
  momentum, an activity within the recent window) no contact's points drop.
  A ``most_engaged`` persona can move to a contact that gained engagement:
  its former holder drops out unless it matches a later persona, and the
  persona the gainer held before may stop being engaged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import exp, fsum, nextafter
from typing import Protocol

from .compiler import CompiledModel
from .personas import CompiledGroup, assign_personas, persona_matches
from .plan import Plan, activity_targets
from .types import BuyingGroupSignals, Contact, Reason, format_points

__all__ = [
    "ContactFacts",
    "GroupOutcome",
    "activity_points",
    "contact_facts",
    "evaluate_buying_groups",
    "group_summary",
]

_INF = float("inf")
MAX_SUMMARY = 255


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """What the buying group needs of one contact, computed with its score
    (so a batch needs no contacts to finish): the personas it matches
    (``personas.persona_matches``), its decayed activity points in the
    engagement window, its undecayed points in the recent and prior momentum
    windows (all 0 when it matches no persona: it is never a member)."""

    matches: tuple[int, ...]
    window: float
    recent: float
    prior: float


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    """What the buying group gives one contact: its persona, its account's
    signals (``None`` without an account key), its reasons and their sum."""

    persona: str | None
    signals: BuyingGroupSignals | None
    reasons: tuple[Reason, ...]
    points: float


class Member(Protocol):
    """A contact's partial result as ``evaluate_buying_groups`` reads it."""

    @property
    def id(self) -> str: ...
    @property
    def account_key(self) -> str | None: ...
    @property
    def disqualifier(self) -> str | None: ...
    @property
    def group(self) -> ContactFacts | None: ...


_NOTHING = GroupOutcome(None, None, (), 0.0)


def _hits(plan: Plan, c: Contact, lo: float, as_of: float) -> dict[int, list[float]]:
    """Per activity-rule slot, the timestamps of the matching activities with
    ``lo <= ts <= as_of`` (newest first within each activity type)."""
    found: dict[int, list[float]] = {}
    act_types = plan.act_types
    for t, tacts in c.by_type.items():
        tp = act_types.get(t)
        if tp is None:
            continue
        for a in tacts:  # newest first
            ts = a.ts
            if ts > as_of:
                continue
            if ts < lo:
                break
            for slot in activity_targets(tp, a):
                lst = found.get(slot)
                if lst is None:
                    found[slot] = [ts]
                else:
                    lst.append(ts)
    return found


def _points(
    plan: Plan, found: dict[int, list[float]], lo: float, hi: float, as_of: float, decay: bool
) -> float:
    """Points of the ``_hits`` with ``lo <= ts < hi``: per rule the newest
    ``max_count``, decayed (or not), capped by ``max_points``; summed."""
    total = 0.0
    meta = plan.act_meta
    for slot in sorted(found):
        types, limit, k, pts, mp, _idx, _rid = meta[slot]
        stamps = [ts for ts in found[slot] if lo <= ts < hi]
        if not stamps:
            continue
        if limit and len(stamps) > limit:
            if len(types) > 1:
                stamps.sort(reverse=True)
            del stamps[limit:]
        if not decay:
            k = 0.0
        got = pts * (fsum([exp(k * (ts - as_of)) for ts in stamps]) if k else len(stamps))
        if mp is not None and abs(got) > mp:
            got = mp if got > 0 else -mp
        total += got
    return total


def _capped(pts: float, mp: float | None) -> float:
    return pts if mp is None or abs(pts) <= mp else mp if pts > 0 else -mp


def _windows(
    plan: Plan, found: dict[int, list[float]], as_of: float, since: float, cut: float, lo: float
) -> tuple[float, float, float]:
    """``_points`` over ``[since, as_of]`` (decayed), ``[cut, as_of]`` and
    ``[lo, cut)`` (undecayed), in one walk over the hits."""
    meta = plan.act_meta
    win: list[float] = []
    rec: list[float] = []
    pri: list[float] = []
    for slot, stamps in found.items():
        types, limit, k, pts, mp, _idx, _rid = meta[slot]
        if limit and len(types) > 1:
            stamps.sort(reverse=True)
        cap = limit or len(stamps)
        in_win: list[float] = []
        n_rec = n_pri = 0
        for ts in stamps:  # newest first
            if ts >= since and len(in_win) < cap:
                in_win.append(ts)
            if ts >= cut:
                n_rec += 1
            elif ts >= lo:
                n_pri += 1
        if in_win:
            win.append(
                _capped(
                    pts * fsum([exp(k * (ts - as_of)) for ts in in_win])
                    if k
                    else pts * len(in_win),
                    mp,
                )
            )
        if n_rec:
            rec.append(_capped(pts * min(n_rec, cap), mp))
        if n_pri:
            pri.append(_capped(pts * min(n_pri, cap), mp))
    return fsum(win), fsum(rec), fsum(pri)


def activity_points(
    plan: Plan, c: Contact, lo: float, hi: float, as_of: float, decay: bool = True
) -> float:
    """Activity-rule points of ``c`` from its activities with ``lo <= ts < hi``
    (and ``ts <= as_of``); see module docstring."""
    return _points(
        plan, _hits(plan, c, lo, as_of), lo, min(hi, nextafter(as_of, _INF)), as_of, decay
    )


def contact_facts(m: CompiledModel, c: Contact, as_of: float) -> ContactFacts | None:
    """``ContactFacts`` of ``c`` (``None`` when ``m`` has no buying group)."""
    g = m.buying_group
    if g is None:
        return None
    matches = persona_matches(g.personas, c)
    if not matches:  # never a member: its points are never read
        return ContactFacts(matches, 0.0, 0.0, 0.0)
    plan = m.plan
    cut = as_of - g.recent
    since = as_of - g.window
    found = _hits(plan, c, min(since, cut - g.prior), as_of)
    if not found:
        return ContactFacts(matches, 0.0, 0.0, 0.0)
    return ContactFacts(matches, *_windows(plan, found, as_of, since, cut, cut - g.prior))


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


def group_summary(
    g: CompiledGroup,
    completeness: float,
    engaged: Sequence[str],
    missing: Sequence[str],
    momentum: str,
    limit: int = MAX_SUMMARY,
) -> str:
    """ "Buying group 67%: economic buyer, champion engaged; missing: technical
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


def _account(g: CompiledGroup, ms: Sequence[Member], keyed: bool) -> list[GroupOutcome]:
    facts = [m.group for m in ms]
    if any(f is None for f in facts):
        raise ValueError("partial results were scored without the model's buying group")
    fs: list[ContactFacts] = facts  # type: ignore[assignment]
    eligible = [m.disqualifier is None for m in ms]
    window = [f.window for f in fs]
    personas = g.personas
    held = assign_personas(
        personas, [f.matches for f in fs], [m.id for m in ms], eligible, window, g.min_points
    )
    if not keyed:
        return [GroupOutcome(None if h is None else personas[h].id, None, (), 0.0) for h in held]
    members = [i for i, h in enumerate(held) if h is not None and eligible[i]]
    engaged_idx = {i for i in members if window[i] >= g.min_points}
    engaged_p = {held[i] for i in engaged_idx}
    required = [pi for pi, p in enumerate(personas) if p.required] or list(range(len(personas)))
    w_all = sum(personas[pi].weight for pi in required)
    w_got = sum(personas[pi].weight for pi in required if pi in engaged_p)
    completeness = 100.0 * w_got / w_all
    # fsum: the same sums whatever the order of the account's contacts
    committee = fsum(personas[h].weight * window[i] for i in members if (h := held[i]) is not None)
    recent = fsum(fs[i].recent for i in members)
    prior = fsum(fs[i].prior for i in members)
    trend = _trend(g, recent, prior)
    engaged_ids = tuple(p.id for pi, p in enumerate(personas) if pi in engaged_p)
    missing = tuple(personas[pi].id for pi in required if pi not in engaged_p)
    signals = BuyingGroupSignals(
        completeness=completeness,
        engaged=engaged_ids,
        missing=missing,
        committee_engagement=committee,
        members=len(members),
        recent=recent,
        prior=prior,
        momentum=trend,
        summary=group_summary(g, completeness, engaged_ids, missing, trend),
    )
    fired = [
        r
        for r in g.points
        if (
            (r.min_completeness is None or completeness >= r.min_completeness)
            and (r.engaged is None or all(x in engaged_ids for x in r.engaged))
            and (r.momentum is None or r.momentum == trend)
            and (r.min_committee_engagement is None or committee >= r.min_committee_engagement)
        )
    ]
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
                    reasons.append(Reason(r.id, pts, 1, "account"))
                    total += pts
        out.append(
            GroupOutcome(None if h is None else personas[h].id, signals, tuple(reasons), total)
        )
    return out


def evaluate_buying_groups(m: CompiledModel, partials: Sequence[Member]) -> list[GroupOutcome]:
    """One ``GroupOutcome`` per partial result, in order (see module
    docstring); the contacts sharing an account key are one committee.
    Empty outcomes when ``m`` has no buying group."""
    g = m.buying_group
    if g is None:
        return [_NOTHING] * len(partials)
    by_key: dict[str | None, list[int]] = {}
    for i, p in enumerate(partials):
        by_key.setdefault(p.account_key, []).append(i)
    out: list[GroupOutcome] = [_NOTHING] * len(partials)
    for key, idx in by_key.items():
        if key is None:
            for i in idx:  # no account: a persona, but no committee
                out[i] = _account(g, [partials[i]], False)[0]
            continue
        for i, o in zip(idx, _account(g, [partials[i] for i in idx], True), strict=True):
            out[i] = o
    return out
