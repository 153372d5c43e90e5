"""Pure decisions of a cycle: what to write for one contact, how urgent it is,
and the tier-transition summary of a dry run. No I/O, no clock.

* A contact is *pending* when the values the core computes differ from the
  CRM's current values of syncd's fields (when the connector read them), else
  from the values syncd last wrote. *Drift* is pending although syncd's last
  write already holds these values: the CRM was edited or a write was lost.
* Write priority (``rank``, larger first): an MQL crossing (either way), then a
  tier change, then the size of the score change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from syncd.core import CompiledModel, ScoreResult, summary
from syncd.state import Scored, StoredContact, Values

__all__ = ["DryRunSummary", "decide", "mql_tiers", "rank", "recheck", "values_of"]

MQL_CROSSING = 4_000_000
TIER_CHANGE = 2_000_000
MAX_DELTA = 1_000_000


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
    pending = sc.writable and baseline != v
    drift = pending and sc.written == v
    changed = sc.desired != v
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
    pending = sc.writable and baseline != v
    drift = pending and sc.written == v
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
        v = values_of(result)
        baseline = sc.crm if sc.crm is not None else sc.written
        self.scored += 1
        old_tier = baseline.tier if baseline is not None and baseline.tier else "(none)"
        self.transitions[(old_tier, v.tier or "(none)")] += 1
        old_mql = old_tier in mql
        if result.mql and not old_mql:
            self.into_mql += 1
        elif old_mql and not result.mql:
            self.out_of_mql += 1
        if sc.writable and baseline != v:
            self.would_write += 1
            if len(self.samples) < self.max_samples:
                self.samples.append((sc.id, baseline, v))
