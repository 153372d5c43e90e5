"""The write-back decision, for contacts and accounts, in one place. Pure: no
I/O, no clock (``now`` is an argument); the state store only persists what
these functions decide.

Contacts
* The values syncd wants (``Desired``) are always complete; the values read
  from the CRM (``CrmValues``) may be partly empty. Nothing here invents a
  default for a missing value.
* A contact is *pending* when the values the core computes differ from the
  CRM's current values of syncd's fields (when the connector read them), else
  from the values syncd last wrote; or when the CRM's values differ at all
  from both the last written and the new ones (a hand edit). *Drift* is
  pending although syncd's last write already holds these values: the CRM
  was edited or a write was lost.
* Values are compared by *meaning* (``same_meaning``): score, tier, priority
  and the reasons text without its points (``core.reasons_text.same_rules``:
  which rules, in which order, how many occurrences). Decayed points alone
  never trigger a write, and a stored verdict that changes only by them is
  not rewritten (the stored text and its ``scored_at`` stay a consistent
  pair).
* A contact whose only change is the CRM's values of syncd's fields (the
  store marks it ``recheck`` whenever the stored copy of those values
  changes) is re-diffed against its stored desired values without
  rescoring (``recheck``).
* A copy of the CRM's values that predates syncd's last acknowledged write
  (``behind``: the record's modification stamp is not after ``written_at``)
  is no evidence of drift while that write is recent (``SEARCH_LAG``): the
  CRM, typically HubSpot's search index, has not caught up with the write
  yet, and the contact is diffed as if the CRM held what syncd wrote. Only a
  record changed *after* the write (or of unknown stamp) can show drift, so
  a back-to-back cycle never rewrites its own write, while a hand edit made
  after it is still restored. A copy still older than the write once
  ``SEARCH_LAG`` has passed means the write was lost: drift again.
  HubSpot documents no bound for the lag: the CRM search guide describes the
  index as eventually consistent without a figure, integrators report seconds
  to a few minutes, and the HubSpot fake lags ``search_lag_s`` (3 s by
  default); ``SEARCH_LAG`` allows ten minutes. Salesforce reads are
  consistent and its stamps whole seconds (an edit in the write's second
  would look older than the write), so its connector gives no stamp: there
  every difference is drift. A copy set aside as behind keeps its contact
  marked for a later look (``waiting``).
* The predicted conversion probability (a connector's ``predictive`` model)
  is part of the values when given: compared exactly (it is rounded to 3
  decimals) and shown in the reasons text (``reasons_text.with_probability``).
  Without one (``probability`` None), the CRM's probability field is ignored.
* Write priority (``rank``, larger first): an MQL crossing (either way), then
  a tier change, then the size of the score change.

Accounts
* An account is *pending* when its computed score differs from the CRM's
  value (when read) or else from the last written one, or its summary or
  priority flag differs from the last written ones (the connectors read only
  the score back). A change of the computed values starts a fresh ledger.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from syncd.core import CompiledModel, ScoreResult, summary
from syncd.core.explain import MAX_SUMMARY, summary_and_rules
from syncd.core.reasons_text import probability_suffix, rules_only, same_rules, with_probability
from syncd.state import (
    AccountState,
    AccountValues,
    AccountVerdict,
    ContactState,
    CrmValues,
    Desired,
    Recheck,
    Scored,
)

__all__ = [
    "MAX_DELTA",
    "MQL_CROSSING",
    "SEARCH_LAG",
    "TIER_CHANGE",
    "AccountVerdict",
    "Recheck",
    "account_pending",
    "account_recheck",
    "account_verdict",
    "behind",
    "contact_verdict",
    "crm_copy",
    "desired_of",
    "mql_tiers",
    "needs_write",
    "rank",
    "recheck",
    "same_meaning",
    "waiting",
]

MQL_CROSSING = 4_000_000
TIER_CHANGE = 2_000_000
MAX_DELTA = 1_000_000
#: How long after syncd's acknowledged write a CRM copy older than the write
#: is taken for the CRM not having caught up (rather than a lost write).
SEARCH_LAG = timedelta(minutes=10)


def mql_tiers(model: CompiledModel) -> frozenset[str]:
    """Tier names at or above the model's MQL tier."""
    t = model.tiering
    return frozenset(t.names[t.mql_rank :])


def desired_of(result: ScoreResult, probability: float | None = None) -> Desired:
    """The values of syncd's CRM fields for ``result`` (and the predicted
    conversion ``probability``, 0–1, when a predictive model gave one)."""
    return _desired_and_rules(result, probability)[0]


def _desired_and_rules(
    result: ScoreResult, probability: float | None = None
) -> tuple[Desired, str]:
    """``desired_of`` and the ``rules_only`` text of its reasons."""
    if probability is None:
        reasons, rules = summary_and_rules(result)
    else:
        probability = round(min(max(probability, 0.0), 1.0), 3)
        room = MAX_SUMMARY - len(probability_suffix(probability))
        reasons = with_probability(summary(result, room), probability)
        rules = rules_only(reasons)
    desired = Desired(
        score=result.score,
        tier=result.tier,
        reasons=reasons,
        priority=result.priority,
        probability=probability,
    )
    return desired, rules


def same_meaning(a: CrmValues | Desired | None, b: Desired, b_rules: str | None = None) -> bool:
    """Whether ``a`` agrees with ``b`` on score, tier, priority and the rules
    of the reasons text (their order and counts), ignoring the reasons'
    points; an empty value never agrees. ``b_rules``: ``rules_only`` of
    ``b.reasons`` when the caller has it."""
    if a is None or a.score != b.score or a.tier != b.tier or a.priority != b.priority:
        return False
    if b.probability is not None and a.probability != b.probability:
        return False
    return a.reasons is not None and same_rules(a.reasons, b.reasons, b_rules)


def _holds(crm: CrmValues, d: Desired, probability: bool = True) -> bool:
    """Whether the CRM's copy holds exactly ``d`` (the reasons text included;
    the probability too unless ``probability`` is False)."""
    return (
        crm.score == d.score
        and crm.tier == d.tier
        and crm.reasons == d.reasons
        and crm.priority == d.priority
        and (not probability or crm.probability == d.probability)
    )


def behind(modified_at: datetime | None, written_at: datetime | None, now: datetime) -> bool:
    """Whether a CRM copy stamped ``modified_at`` predates syncd's write
    acknowledged at ``written_at`` while that write is recent: the CRM has not
    caught up and its copy shows nothing (see the module docstring)."""
    if modified_at is None or written_at is None:
        return False
    return modified_at <= written_at and now - written_at < SEARCH_LAG


def needs_write(
    writable: bool,
    crm: CrmValues | None,
    written: Desired | None,
    new: Desired,
    new_rules: str | None = None,
) -> tuple[bool, bool]:
    """(pending, drift) for a contact whose fields should hold ``new`` (see
    the module docstring); ``crm`` is the copy ``crm_copy`` gives;
    ``new_rules``: ``rules_only`` of ``new.reasons`` when the caller has it."""
    # no predictive model (``new.probability`` None): its field is not syncd's
    # concern (``same_meaning`` compares it only when ``new`` has one)
    p = new.probability is not None
    baseline: CrmValues | Desired | None = crm if crm is not None else written
    edited = (
        crm is not None
        and written is not None
        and not _holds(crm, written, p)
        and not _holds(crm, new, p)
    )
    pending = writable and (edited or not same_meaning(baseline, new, new_rules))
    return pending, pending and same_meaning(written, new, new_rules)


def rank(
    new: Desired, new_mql: bool, baseline: CrmValues | Desired | None, mql: frozenset[str]
) -> int:
    """Write priority of moving a contact from ``baseline`` to ``new``; an
    unknown old score counts as a move from 0."""
    old_tier = baseline.tier if baseline is not None else None
    old_mql = old_tier in mql if old_tier is not None else False
    old_score = baseline.score if baseline is not None else None
    r = min(abs(new.score - (old_score if old_score is not None else 0)), MAX_DELTA - 1)
    if old_tier != new.tier:
        r += TIER_CHANGE
    if old_mql != new_mql:
        r += MQL_CROSSING
    return r


def crm_copy(sc: ContactState, now: datetime) -> CrmValues | None:
    """The contact's CRM copy, None while it is ``behind`` syncd's write."""
    if sc.written is not None and behind(sc.crm_modified_at, sc.written_at, now):
        return None
    return sc.crm


def _baseline(sc: ContactState, now: datetime) -> CrmValues | Desired | None:
    crm = crm_copy(sc, now)
    return crm if crm is not None else sc.written


def waiting(sc: ContactState, now: datetime) -> bool:
    """Whether the stored CRM copy differs from syncd's write but is set aside
    as ``behind`` it: a hand edit made in the same second as the write looks
    the same as a stale read until the lag has passed, so the contact is judged
    again by a later cycle rather than taken as repaired."""
    return (
        sc.crm is not None
        and sc.written is not None
        and crm_copy(sc, now) is None
        and not _holds(sc.crm, sc.written)
    )


def contact_verdict(
    sc: ContactState,
    result: ScoreResult,
    mql: frozenset[str],
    now: datetime,
    probability: float | None = None,
) -> Scored:
    """The verdict for one stored contact and its new score (and predicted
    conversion ``probability``, when a predictive model gave one; ``persist``
    is False when nothing stored would change but the reasons' points)."""
    v, v_rules = _desired_and_rules(result, probability)
    crm = crm_copy(sc, now)
    pending, drift = needs_write(sc.writable, crm, sc.written, v, v_rules)
    old = sc.desired
    changed = old is None or not same_meaning(old, v, v_rules)
    moved = old is None or old.score != v.score or old.tier != v.tier
    mql_at = sc.mql_at if sc.mql_at is not None else (now if result.mql else None)
    r = rank(v, result.mql, crm if crm is not None else sc.written, mql)
    same_state = (
        not changed
        and sc.desired_mql == result.mql
        and sc.model_ref == result.model
        and sc.mql_at == mql_at
        and (sc.pending, sc.drift) == (pending, drift)
        and (sc.rank == r or not pending)
    )  # a rank orders pending writes only
    if same_state and old is not None:
        v = old  # keep the stored text (only its points aged): no rewrite
    return Scored(
        id=sc.id,
        values=v,
        mql=result.mql,
        model_ref=result.model,
        mql_at=mql_at,
        pending=pending,
        drift=drift,
        rank=r,
        history=moved,
        reset_ledger=changed,
        persist=not same_state,
        waiting=waiting(sc, now),
    )


def recheck(sc: ContactState, mql: frozenset[str], now: datetime) -> Recheck | None:
    """Re-diff a contact whose CRM values changed but whose data did not,
    against the values already computed; None when it was never scored (it
    is dirty and will be)."""
    v = sc.desired
    if v is None:
        return None
    pending, drift = needs_write(sc.writable, crm_copy(sc, now), sc.written, v)
    r = rank(v, sc.desired_mql, _baseline(sc, now), mql)
    return Recheck(sc.id, pending, drift, r, waiting(sc, now))


def account_pending(acc: AccountState, new: AccountValues) -> bool:
    """Whether the account's CRM fields must be (re)written to hold ``new``."""
    w = acc.written
    baseline = acc.crm_score if acc.crm_score is not None else (w.score if w is not None else None)
    return (
        baseline != new.score or w is None or w.summary != new.summary or w.priority != new.priority
    )


def account_verdict(acc: AccountState, new: AccountValues) -> AccountVerdict | None:
    """What to store for an account whose values were computed as ``new``;
    None when nothing stored changes."""
    pending = account_pending(acc, new)
    same = acc.desired == new
    if same and acc.pending == pending:
        return None
    return AccountVerdict(acc.id, new, pending, reset_ledger=not same)


def account_recheck(acc: AccountState) -> bool | None:
    """The pending flag of an account whose CRM score changed while its data
    did not; None when it was never scored."""
    return None if acc.desired is None else account_pending(acc, acc.desired)
