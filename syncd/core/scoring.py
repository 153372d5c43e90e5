"""Scoring: ``score_batch`` = ``score_contact`` per contact (disqualifiers,
fit rules, activity rules with decay, caps and exclusive groups, inactivity,
velocity) + ``finish_batch`` (account-level signals from ``accounts.py`` and
``buying_group.py``, tiers, rounding).

Time contract: ``as_of_ts`` (epoch seconds) is the only clock. Activities with
``ts > as_of_ts`` are ignored everywhere, so replaying an old ``as_of`` gives
the score the contact had then. An activity's decayed points are
``points * 0.5 ** (age_days / half_life_days)`` (computed as
``points * sum(exp(-k * age_seconds))`` over the counted occurrences).
An occurrence whose decayed points are below ``DECAY_FLOOR`` (a millionth
of a point) no longer counts at all (points or count): what retention prunes
is never seen. Caps: with ``max_count`` only the newest ``max_count`` matching occurrences
count; ``max_points`` caps the absolute total of the rule.
Exclusive groups: among the rules of one group that fired, only the one with
the highest (decayed, capped) points counts (ties: first declared).

Sums (occurrences of a rule, and the fit and engagement components) use
``math.fsum``: correctly rounded, so results never depend on the order in
which rules or activities are visited.

Implementation: ``score_contact`` is ``evaluate(match(contact))``:
``evidence.match`` finds, once and without a clock, which rules the contact's
fields and activities match (one pass over its activities, newest first,
dispatched to the activity rules of their type: ``Plan.act_types``);
``evaluate`` applies the time (decay, caps, inactivity, velocity) to that
evidence. A rescore that only moves the clock evaluates stored evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from math import copysign, exp, fsum, log
from math import floor as floor_

from .accounts import is_engaged, stakeholder_points
from .buying_group import ContactFacts, GroupOutcome, contact_facts, evaluate_buying_groups
from .compiler import CompiledModel
from .contract import to_epoch
from .evidence import Evidence, match
from .plan import MEMO_MAX, Plan
from .types import Contact, Reason, ScoreResult
from .usage import DECAY_FLOOR

__all__ = ["Partial", "evaluate", "finish_batch", "score_batch", "score_contact"]

#: (-|points|, declaration order, reason): sorting hits gives reason order
#: (declaration orders are unique, so reasons are never compared).
Hit = tuple[float, int, Reason]
_INF = float("inf")


@dataclass(frozen=True, slots=True)
class Partial:
    """A contact's result before account signals; it keeps no reference to
    the contact, so a batch can be scored while its contacts are streamed.
    ``reasons`` are in result order: |points| descending, then declaration
    order (rules, inactivity, velocity); account signals, declared after all
    of them, are merged in by ``finish_batch``. Disqualified: just the
    disqualifier's reason. ``priority``: the contact's account is a priority
    account (kept even when disqualified)."""

    id: str
    account_key: str | None
    priority: bool
    disqualifier: str | None
    fit: float
    engagement: float
    reasons: tuple[Reason, ...]
    newest_engagement: float | None
    #: What the model's buying group needs of the contact (``buying_group.py``).
    group: ContactFacts | None = None


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
        if (
            cur is None
            or reason.points > cur[1].points
            or (reason.points == cur[1].points and idx < cur[0])
        ):
            best[g] = (idx, reason)
    out.extend(best.values())
    return out


def _act_reasons(p: Plan, ev: Evidence, as_of: float) -> list[tuple[int, Reason]]:
    """(index, reason) of the activity rules that fired, in index order."""
    out: list[tuple[int, Reason]] = []
    meta = p.act_meta
    memo = p.reason_memo
    for slot, stamps in ev.found:
        _types, limit, k, pts, mp, idx, rid = meta[slot]
        if stamps[0] > as_of:  # newest first: activities after as_of are not seen
            stamps = tuple([ts for ts in stamps if ts <= as_of])
            if not stamps:
                continue
        if limit and len(stamps) > limit:  # only the newest max_count count
            stamps = stamps[:limit]
        if k and pts:  # an occurrence decayed below DECAY_FLOOR points is gone
            cut = as_of - log(abs(pts) / DECAY_FLOOR) / k
            if stamps[-1] < cut:  # newest first: only the tail can be gone
                stamps = tuple([ts for ts in stamps if ts >= cut])
                if not stamps:
                    continue
        n = len(stamps)
        const = not k
        total = pts * fsum([exp(k * (ts - as_of)) for ts in stamps]) if k else pts * n
        if mp is not None and (total > mp or -total > mp):
            total = copysign(mp, total)
            const = True
        if const and total:  # points fixed by (rule, count): share the reason
            key = (slot, n, total)
            r = memo.get(key)
            if r is None:
                if len(memo) >= MEMO_MAX:
                    memo.clear()
                r = memo[key] = Reason(rid, total, n, "engagement")
        else:
            r = Reason(rid, total, n, "engagement")
        out.append((idx, r))
    return out


def _general(m: CompiledModel, ev: Evidence, acts: list[tuple[int, Reason]]) -> list[Hit]:
    """Fit and activity rules that count, groups resolved exactly as declared
    (any group shape)."""
    prop_of = m.plan.prop_of
    hits = [(idx, prop_of[idx][2]) for idx in ev.fit]
    hits += acts
    if m.plan.grouped and len(hits) > 1:
        hits = _best_per_group(m, hits)
    return [(-abs(r.points), idx, r) for idx, r in hits]


def score_contact(m: CompiledModel, c: Contact, as_of: float) -> Partial:
    """Score one contact without account signals (see module docstring)."""
    facts = None if m.buying_group is None else contact_facts(m, c, as_of)
    return evaluate(m, c.id, match(m, c), as_of, facts)


def evaluate(
    m: CompiledModel,
    cid: str,
    ev: Evidence,
    as_of: float,
    facts: ContactFacts | None = None,
) -> Partial:
    """Score contact ``cid`` from its evidence under ``m`` (``evidence.match``),
    without account signals; ``facts``: what the model's buying group needs
    of the contact (``buying_group.contact_facts``, None without one)."""
    p = m.plan
    vel = p.velocity
    vel_from = as_of - vel[0] if vel is not None else _INF
    newest: float | None = None
    recent = 0
    for ts in ev.engaged:  # newest first
        if ts > as_of:
            continue
        if newest is None:
            newest = ts
        if ts < vel_from:
            break
        recent += 1
    dq: Reason | None = None
    if ev.disqualifier is not None:
        dq = p.disq_contact[ev.disqualifier][1]
    else:
        for i, first in enumerate(ev.act_disq):
            if first is not None and first <= as_of:
                dq = Reason(p.disq_activity[i][0], 0.0, 1, "disqualifier")
                break
    if dq is not None:
        return Partial(cid, ev.account_key, ev.priority, dq.rule, 0.0, 0.0, (dq,), newest, facts)
    acts = _act_reasons(p, ev, as_of) if ev.found else []
    if p.fast:
        prop_of = p.prop_of
        hits: list[Hit] = []
        fit_pts: list[float] = []
        for idx in ev.fit:
            _idx, _test, reason, pts = prop_of[idx]
            fit_pts.append(pts)
            hits.append((-abs(pts), idx, reason))
        eng_pts = [r.points for _, r in acts]
        hits += [(-abs(r.points), idx, r) for idx, r in acts]
    else:
        hits = _general(m, ev, acts)
        fit_pts = [r.points for _, _, r in hits if r.component == "fit"]
        eng_pts = [r.points for _, _, r in hits if r.component != "fit"]
    base = len(p.all_props) + len(p.act_meta)
    ina = p.inactivity
    if ina is not None:
        # from the later of the newest engagement and creation: old imported
        # history never makes a new lead look inactive
        created = ev.created_ts
        last = newest if created is None else created if newest is None else max(newest, created)
        if last is not None and as_of - last > ina[0]:
            eng_pts.append(ina[1])
            hits.append((-abs(ina[1]), base, ina[2]))
    if vel is not None and recent >= vel[1]:
        eng_pts.append(vel[2])
        hits.append((-abs(vel[2]), base + 1, vel[3]))
    hits.sort()
    return Partial(
        cid,
        ev.account_key,
        ev.priority,
        None,
        fsum(fit_pts),
        fsum(eng_pts),
        tuple([h[2] for h in hits]),
        newest,
        facts,
    )


def _finish(
    m: CompiledModel,
    p: Partial,
    account_pts: float,
    extra: list[Reason],
    ref: str,
    group: GroupOutcome | None = None,
) -> ScoreResult:
    persona, signals = (None, None) if group is None else (group.persona, group.signals)
    if p.disqualifier is not None:
        return ScoreResult(
            p.id,
            0,
            0.0,
            "disqualified",
            False,
            True,
            p.priority,
            ref,
            0.0,
            0.0,
            0.0,
            p.reasons,
            p.account_key,
            persona,
            signals,
        )
    exact = p.fit + p.engagement + account_pts
    floor = m.spec.score_floor
    if floor is not None and exact < floor:
        exact = floor
    tier, mql = m.tiering.tier(exact)
    reasons = p.reasons
    if extra:  # declared after every per-contact reason: after all with |points| >= theirs
        merged = list(reasons)
        for r in extra:
            a = abs(r.points)
            i = 0
            while i < len(merged) and abs(merged[i].points) >= a:
                i += 1
            merged.insert(i, r)
        reasons = tuple(merged)
    return ScoreResult(
        p.id,
        floor_(exact + 0.5),
        exact,
        tier,
        mql,
        False,
        p.priority,
        ref,
        p.fit,
        p.engagement,
        account_pts,
        reasons,
        p.account_key,
        persona,
        signals,
    )


def finish_batch(
    model: CompiledModel, partials: Sequence[Partial], as_of: datetime
) -> list[ScoreResult]:
    """Add account signals (``accounts.py``) to a batch of ``score_contact``
    results, all scored as of ``as_of``; order preserved."""
    ts = to_epoch(as_of)
    ms = model.spec.account.multi_stakeholder
    bonus: dict[str, float] = {}
    engaged: set[int] = set()
    if ms is not None:
        members: dict[str, set[str]] = {}
        for i, p in enumerate(partials):
            key = p.account_key
            if (
                key is not None
                and p.disqualifier is None
                and is_engaged(ms, p.newest_engagement, ts)
            ):
                members.setdefault(key, set()).add(p.id)
                engaged.add(i)
        for key, ids in members.items():
            if len(ids) >= ms.min_contacts:
                bonus[key] = stakeholder_points(ms, len(ids))
    groups = None if model.buying_group is None else evaluate_buying_groups(model, partials)
    prio_rule = model.plan.priority
    ref = model.ref
    out: list[ScoreResult] = []
    for i, p in enumerate(partials):
        extra: list[Reason] = []
        pts = 0.0
        if i in engaged and p.account_key in bonus:
            assert ms is not None
            b = bonus[p.account_key]
            pts += b
            extra.append(Reason(ms.id, b, 1, "account"))
        group = None
        if groups is not None:
            group = groups[i]
            pts += group.points
            extra += group.reasons
        if p.priority and p.disqualifier is None and prio_rule is not None:
            pts += prio_rule[0]
            extra.append(prio_rule[1])
        out.append(_finish(model, p, pts, extra, ref, group))
    return out


def score_batch(
    model: CompiledModel, contacts: Iterable[Contact], as_of: datetime
) -> list[ScoreResult]:
    """Score ``contacts`` as of ``as_of`` (naive = UTC); order preserved.
    Account signals see every contact of the batch grouped by
    ``Contact.account_key``.

    Leaves interpreter state (e.g. the garbage collector) alone: a program
    scoring large resident populations may ``gc.freeze()`` them after loading
    (see ``bench/bench_scoring.py``)."""
    ts = to_epoch(as_of)
    return finish_batch(model, [score_contact(model, c, ts) for c in contacts], as_of)
