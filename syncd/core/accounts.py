"""Batch scoring with account-level signals, and account scores.

Contracts:
* ``score_batch`` keeps input order. Account signals see every contact of the
  batch grouped by ``Contact.account_key`` (see ``keys.py``).
* Multi-stakeholder: a contact is *engaged* when its newest engagement
  activity is within ``within_days`` before ``as_of`` and it is not
  disqualified. When an account has at least ``min_contacts`` distinct engaged
  contacts, each engaged one gets ``points`` plus ``extra_points`` per engaged
  contact beyond ``min_contacts``, the extra capped at ``max_extra_points``.
* Priority: a contact whose account matches the priority list (CRM account
  id; e-mail or account domain; normalised company name) or whose account
  property named by ``priority.property`` is truthy gets ``points`` and
  ``priority: true`` (the flag is kept even when disqualified).
* Buying group: personas, account signals and their points, see
  ``buying_group.py``; results carry the persona and the account's signals.
* Account score: per key, the sum of the top ``k`` contact scores, or the max;
  it carries the account's buying-group signals when the model has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from math import floor as floor_

from .buying_group import GroupOutcome, evaluate_buying_groups
from .compiler import DAY, CompiledModel
from .contract import to_epoch
from .keys import clean_domain, is_free_mail
from .plan import MEMO_MAX, new_reason, new_result
from .scoring import Partial, score_contact
from .text import normalise_company
from .types import AccountScore, Contact, Reason, ScoreResult

__all__ = ["account_scores", "is_priority", "score_batch"]

_TRUE = frozenset({"true", "yes", "y", "1", "x"})


def _truthy(v: object) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return v != 0
    return isinstance(v, str) and v.strip().lower() in _TRUE


def is_priority(m: CompiledModel, c: Contact) -> bool:
    """Whether ``c`` belongs to a priority account under model ``m``."""
    return _priority(m, c)


def _priority(m: CompiledModel, c: Contact) -> bool:
    """``is_priority`` with the per-name and per-domain work memoised on the
    model's plan (pure functions of the strings, so the memo is invisible)."""
    pr = m.spec.account.priority
    if pr is None:
        return False
    acc = c.account
    if m.priority_ids and acc is not None and acc.id and acc.id in m.priority_ids:
        return True
    plan = m.plan
    if m.priority_domains:
        d = c.email_domain
        if d and not is_free_mail(d) and d in m.priority_domains:
            return True
        if acc is not None and acc.domain:
            memo = plan.domain_memo
            cd = memo.get(acc.domain)
            if cd is None:
                cd = clean_domain(acc.domain)
                if len(memo) >= MEMO_MAX:
                    memo.clear()
                memo[acc.domain] = cd
            if cd in m.priority_domains:
                return True
    if m.priority_names:
        name = c.company or (acc.name if acc is not None else None)
        if name:
            names = plan.company_memo
            hit = names.get(name)
            if hit is None:
                hit = normalise_company(name) in m.priority_names
                if len(names) >= MEMO_MAX:
                    names.clear()
                names[name] = hit
            if hit:
                return True
    return pr.property is not None and _truthy(c.account_raw.get(pr.property))


def _finish(m: CompiledModel, p: Partial, account_pts: float, extra: list[Reason],
            priority: bool, ref: str, group: GroupOutcome | None = None) -> ScoreResult:
    c = p.contact
    persona, signals = (None, None) if group is None else (group.persona, group.signals)
    if p.disqualifier is not None:
        return new_result(
            c.id, 0, 0.0, "disqualified", False, True, priority, ref, 0.0, 0.0, 0.0,
            p.reasons, c.account_key, persona, signals)
    exact = p.fit + p.engagement + account_pts
    floor = m.score_floor
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
    return new_result(
        c.id, floor_(exact + 0.5), exact, tier, mql, False, priority, ref, p.fit,
        p.engagement, account_pts, reasons, c.account_key, persona, signals)


def score_batch(model: CompiledModel, contacts: Sequence[Contact],
                as_of: datetime) -> list[ScoreResult]:
    """Score ``contacts`` as of ``as_of`` (naive = UTC); order preserved.

    Leaves interpreter state (e.g. the garbage collector) alone: a program
    scoring large resident populations may ``gc.freeze()`` them after loading
    (see ``bench/bench_scoring.py``)."""
    ts = to_epoch(as_of)
    partials = [score_contact(model, c, ts) for c in contacts]
    acct = model.spec.account
    ms = acct.multi_stakeholder
    bonus: dict[str, float] = {}
    engaged: set[int] = set()
    if ms is not None:
        since = ts - ms.within_days * DAY
        members: dict[str, set[str]] = {}
        for i, p in enumerate(partials):
            key = p.contact.account_key
            if (key is not None and p.disqualifier is None and p.newest_engagement is not None
                    and p.newest_engagement >= since):
                members.setdefault(key, set()).add(p.contact.id)
                engaged.add(i)
        for key, ids in members.items():
            n = len(ids)
            if n >= ms.min_contacts:
                more = ms.extra_points * (n - ms.min_contacts)
                if ms.max_extra_points is not None:
                    more = min(more, ms.max_extra_points)
                bonus[key] = ms.points + more
    groups = None if model.buying_group is None else evaluate_buying_groups(
        model, [p.contact for p in partials], [p.disqualifier is not None for p in partials], ts)
    prio_rule = model.plan.priority
    ref = model.ref
    out: list[ScoreResult] = []
    append = out.append
    for i, p in enumerate(partials):
        c = p.contact
        extra: list[Reason] = []
        pts = 0.0
        if bonus and i in engaged and c.account_key in bonus:
            b = bonus[c.account_key]
            pts += b
            assert ms is not None
            extra.append(new_reason(ms.id, b, 1, "account"))
        group = None
        if groups is not None:
            group = groups[i]
            pts += group.points
            extra += group.reasons
        prio = prio_rule is not None and _priority(model, c)
        if prio and p.disqualifier is None:
            assert prio_rule is not None
            pts += prio_rule[0]
            extra.append(prio_rule[1])
        append(_finish(model, p, pts, extra, prio, ref, group))
    return out


def account_scores(model: CompiledModel, results: Sequence[ScoreResult]) -> list[AccountScore]:
    """Aggregate contact scores per account key (each result carries its key;
    results without one are skipped), highest first."""
    agg = model.spec.account.score
    groups: dict[str, list[ScoreResult]] = {}
    for r in results:
        if r.account_key is not None:
            groups.setdefault(r.account_key, []).append(r)
    out: list[AccountScore] = []
    label = "max" if agg.method == "max" else f"top{agg.k}_sum"
    for key, rs in groups.items():
        ranked = sorted(rs, key=lambda r: (-r.score, r.id))
        top = ranked[:1] if agg.method == "max" else ranked[: agg.k]
        score = top[0].score if agg.method == "max" else sum(r.score for r in top)
        out.append(AccountScore(key=key, score=score, aggregate=label, contacts=len(rs),
                                top_contact_ids=tuple(r.id for r in top),
                                priority=any(r.priority for r in rs),
                                buying_group=rs[0].buying_group))
    out.sort(key=lambda a: (-a.score, a.key))
    return out
