"""What a dry run would change: tier transitions, MQL crossings, samples.
Counts with the same decision as a real cycle (``writeback.needs_write``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from syncd.core import ScoreResult
from syncd.state import ContactState, CrmValues, Desired
from syncd.sync.writeback import crm_copy, desired_of, needs_write

__all__ = ["DryRunSummary"]


@dataclass
class DryRunSummary:
    """What a dry run would change: tier transitions, MQL crossings, samples."""

    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    into_mql: int = 0
    out_of_mql: int = 0
    would_write: int = 0
    scored: int = 0
    samples: list[tuple[str, CrmValues | Desired | None, Desired]] = field(default_factory=list)
    max_samples: int = 10
    #: The cycle's time: a CRM copy ``behind`` syncd's write is disregarded.
    now: datetime | None = None

    def add(self, sc: ContactState, result: ScoreResult, mql: frozenset[str]) -> None:
        """A contact rescored to ``result``."""
        self.add_values(sc, desired_of(result), result.mql, mql)

    def add_values(self, sc: ContactState, v: Desired, new_mql: bool, mql: frozenset[str]) -> None:
        """A contact that would get ``v`` (rescored, or re-diffed without rescoring)."""
        crm = sc.crm if self.now is None else crm_copy(sc, self.now)
        baseline = crm if crm is not None else sc.written
        self.scored += 1
        old_tier = baseline.tier if baseline is not None and baseline.tier else "(none)"
        self.transitions[(old_tier, v.tier)] += 1
        old_mql = old_tier in mql
        if new_mql and not old_mql:
            self.into_mql += 1
        elif old_mql and not new_mql:
            self.out_of_mql += 1
        if needs_write(sc.writable, crm, sc.written, v)[0]:
            self.would_write += 1
            if len(self.samples) < self.max_samples:
                self.samples.append((sc.id, baseline, v))
