"""Account-level signals (applied by ``scoring.finish_batch``) and account scores.

Contracts:
* Contacts are grouped by ``Contact.account_key`` (see ``keys.py``).
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

from .compiler import CompiledModel
from .keys import clean_domain, is_free_mail
from .plan import DAY, MEMO_MAX
from .schema import MultiStakeholder
from .text import normalise_company
from .types import AccountScore, Contact, ScoreResult

__all__ = ["account_scores", "is_engaged", "is_priority", "stakeholder_points"]

_TRUE = frozenset({"true", "yes", "y", "1", "x"})


def _truthy(v: object) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return v != 0
    return isinstance(v, str) and v.strip().lower() in _TRUE


def is_priority(m: CompiledModel, c: Contact) -> bool:
    """Whether ``c`` belongs to a priority account under model ``m``. The
    per-name and per-domain work is memoised on the model's plan (pure
    functions of the strings, so the memo is invisible)."""
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


def is_engaged(ms: MultiStakeholder, newest_engagement: float | None, as_of_ts: float) -> bool:
    """Whether a (not disqualified) contact whose newest engagement activity
    is at ``newest_engagement`` counts as engaged for the buying committee."""
    return newest_engagement is not None and newest_engagement >= as_of_ts - ms.within_days * DAY


def stakeholder_points(ms: MultiStakeholder, engaged: int) -> float:
    """Points for each engaged contact of an account with ``engaged`` engaged
    contacts (at least ``min_contacts``)."""
    more = ms.extra_points * (engaged - ms.min_contacts)
    if ms.max_extra_points is not None:
        more = min(more, ms.max_extra_points)
    return ms.points + more


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
        out.append(
            AccountScore(
                key=key,
                score=score,
                aggregate=label,
                contacts=len(rs),
                top_contact_ids=tuple(r.id for r in top),
                priority=any(r.priority for r in rs),
                buying_group=rs[0].buying_group,
            )
        )
    out.sort(key=lambda a: (-a.score, a.key))
    return out
