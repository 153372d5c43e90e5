"""Pure decisions of a cycle: what to write for one contact, how urgent it is,
and the tier-transition summary of a dry run. No I/O, no clock.

* A contact is *pending* when the values the core computes differ from the
  CRM's current values of syncd's fields (when the connector read them), else
  from the values syncd last wrote. *Drift* is pending although syncd's last
  write already holds these values: the CRM was edited or a write was lost.
* Values are compared by *meaning* (``same_meaning``): score, tier, priority
  and the reasons text with its points removed (which rules, in which order,
  how many occurrences). Decayed points in the reasons text change with time
  alone; that never triggers a write, while any change of score, tier,
  priority or the rules shown does (and then the fresh text is written).
  A CRM value that differs in any way from what syncd last wrote (a hand
  edit, a lost write) is drift and is restored.
* Write priority (``rank``, larger first): an MQL crossing (either way), then a
  tier change, then the size of the score change.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from syncd.core import CompiledModel, ScoreResult, summary
from syncd.state import Scored, StoredContact, Values

__all__ = ["DryRunSummary", "decide", "mql_tiers", "needs_write", "rank", "recheck",
           "same_meaning", "values_of"]

MQL_CROSSING = 4_000_000
TIER_CHANGE = 2_000_000
MAX_DELTA = 1_000_000

# the points of one reason in the summary text: " +13.4" before ";", " (xN)" or the end
_POINTS = re.compile(r" [+-]\d+(?:\.\d+)?(?=;| \(x\d+\)|$)")


def same_meaning(a: Values | None, b: Values | None) -> bool:
    """Whether ``a`` and ``b`` agree on score, tier, priority and the rules of
    the reasons text (their order and counts), ignoring the reasons' points."""
    if a is None or b is None:
        return a is b
    if (a.score, a.tier, a.priority) != (b.score, b.tier, b.priority):
        return False
    if a.reasons == b.reasons:
        return True
    if a.reasons is None or b.reasons is None:
        return False
    return _POINTS.sub("", a.reasons) == _POINTS.sub("", b.reasons)


def needs_write(writable: bool, crm: Values | None, written: Values | None,
                new: Values) -> tuple[bool, bool]:
    """(pending, drift) for a contact whose fields should hold ``new``: pending
    when the CRM's values (or, unread, the last written ones) differ in meaning
    from ``new``, or the CRM's values differ at all from both the last written
    ones and ``new``;
    drift when pending although the last write already means ``new``."""
    baseline = crm if crm is not None else written
    edited = crm is not None and written is not None and crm != written and crm != new
    pending = writable and (edited or not same_meaning(baseline, new))
    return pending, pending and written is not None and same_meaning(written, new)


def mql_tiers(model: CompiledModel) -> frozenset[str]:
    """Tier names at or above the model's MQL tier."""
    t = model.tiering
    return frozenset(t.names[t.mql_rank:])


def values_of(result: ScoreResult) -> Values:
    """The values of syncd's CRM fields for ``result``."""
    return Values(score=result.score, tier=result.tier, reasons=summary(result),
                  priority=result.priority)


def rank(new: Values, new_mql: bool, baseline: Values | None, mql: frozenset[str]) -> int:
    """Write priority of moving a contact from ``baseline`` to ``new``."""
    old_tier = baseline.tier if baseline is not None else None
    old_mql = old_tier in mql if old_tier is not None else False
    old_score = baseline.score if baseline is not None and baseline.score is not None else 0
    r = min(abs((new.score or 0) - old_score), MAX_DELTA - 1)
    if old_tier != new.tier:
        r += TIER_CHANGE
    if old_mql != new_mql:
        r += MQL_CROSSING
    return r


def decide(sc: StoredContact, result: ScoreResult, mql: frozenset[str],
           now: datetime) -> Scored:
    """The verdict for one stored contact and its new score."""
    v = values_of(result)
    baseline = sc.crm if sc.crm is not None else sc.written
    pending, drift = needs_write(sc.writable, sc.crm, sc.written, v)
    changed = not same_meaning(sc.desired, v)
    moved = sc.desired is None or sc.desired.score != v.score or sc.desired.tier != v.tier
    mql_at = sc.mql_at if sc.mql_at is not None else (now if result.mql else None)
    return Scored(id=sc.id, values=v, mql=result.mql, model_ref=result.model, mql_at=mql_at,
                  pending=pending, drift=drift, rank=rank(v, result.mql, baseline, mql),
                  history=moved, reset_ledger=changed)


def recheck(sc: StoredContact, mql: frozenset[str]) -> tuple[str, bool, bool, int] | None:
    """Re-diff a contact whose CRM values changed but whose data did not:
    (id, pending, drift, rank) against the values already computed; None when
    it was never scored (it is dirty and will be)."""
    v = sc.desired
    if v is None:
        return None
    baseline = sc.crm if sc.crm is not None else sc.written
    pending, drift = needs_write(sc.writable, sc.crm, sc.written, v)
    return sc.id, pending, drift, rank(v, sc.desired_mql, baseline, mql)


@dataclass
class DryRunSummary:
    """What a dry run would change: tier transitions, MQL crossings, samples."""

    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    into_mql: int = 0
    out_of_mql: int = 0
    would_write: int = 0
    scored: int = 0
    samples: list[tuple[str, Values | None, Values]] = field(default_factory=list)
    max_samples: int = 10

    def add(self, sc: StoredContact, result: ScoreResult, mql: frozenset[str]) -> None:
        """A contact rescored to ``result``."""
        self.add_values(sc, values_of(result), result.mql, mql)

    def add_values(self, sc: StoredContact, v: Values, new_mql: bool,
                   mql: frozenset[str]) -> None:
        """A contact that would get ``v`` (rescored, or re-diffed without rescoring)."""
        baseline = sc.crm if sc.crm is not None else sc.written
        self.scored += 1
        old_tier = baseline.tier if baseline is not None and baseline.tier else "(none)"
        self.transitions[(old_tier, v.tier or "(none)")] += 1
        old_mql = old_tier in mql
        if new_mql and not old_mql:
            self.into_mql += 1
        elif old_mql and not new_mql:
            self.out_of_mql += 1
        if needs_write(sc.writable, sc.crm, sc.written, v)[0]:
            self.would_write += 1
            if len(self.samples) < self.max_samples:
                self.samples.append((sc.id, baseline, v))
