"""CRM outcomes: what happened to a lead after syncd scored it.

An ``Outcome`` is one dated milestone the CRM reports for a contact: it became
a sales-qualified lead (``sql``), an opportunity was opened (``opportunity``),
it became a customer (``customer``), a deal was won (``won``) or lost
(``lost``). ``key`` is stable across re-reads (source and CRM id, e.g.
``deal:123:won`` or ``lifecycle:sql``) so a re-read replaces instead of
duplicating.

What counts as a *positive* outcome is an ``OutcomeRule``: a target stage and
a window. Reaching a later stage implies the earlier one (a won deal is also
an opportunity), so the target ``opportunity`` is met by ``opportunity``,
``customer`` or ``won``; ``customer`` by ``customer`` or ``won``; ``won`` by
``won`` only. ``sql`` and ``lost`` never meet a target on their own.

Pure: no clock; every time is an argument and must be timezone-aware.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = [
    "OUTCOME_KINDS",
    "TARGETS",
    "Outcome",
    "OutcomeRule",
    "Target",
    "first_positive",
]

OUTCOME_KINDS: tuple[str, ...] = ("sql", "opportunity", "customer", "won", "lost")

Target = Literal["opportunity", "customer", "won"]

#: The outcome kinds that meet each target.
TARGETS: dict[str, frozenset[str]] = {
    "opportunity": frozenset({"opportunity", "customer", "won"}),
    "customer": frozenset({"customer", "won"}),
    "won": frozenset({"won"}),
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One dated milestone of one contact. ``amount`` is the deal or
    opportunity amount where the CRM has one; ``detail`` a short label (the
    deal stage, the opportunity name) for reports."""

    kind: str
    at: datetime
    key: str
    amount: float | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in OUTCOME_KINDS:
            raise ValueError(f"outcome kind {self.kind!r} is not one of {', '.join(OUTCOME_KINDS)}")
        if self.at.tzinfo is None:
            raise ValueError(f"outcome {self.key!r}: 'at' must be timezone-aware")


@dataclass(frozen=True, slots=True)
class OutcomeRule:
    """A positive outcome: reaching ``target`` within ``window`` of a start
    (the cut date of a backtest, the moment a contact became an MQL …)."""

    target: Target = "opportunity"
    window: timedelta = timedelta(days=90)

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ValueError(f"outcome target {self.target!r} is not one of {', '.join(TARGETS)}")
        if self.window <= timedelta(0):
            raise ValueError("outcome window must be positive")

    @property
    def kinds(self) -> frozenset[str]:
        return TARGETS[self.target]

    def converted(self, outcomes: Iterable[Outcome], start: datetime) -> Outcome | None:
        """The first positive outcome at or after ``start`` and before
        ``start + window``, or None."""
        return first_positive(outcomes, self.target, after=start, before=start + self.window)


def first_positive(
    outcomes: Iterable[Outcome],
    target: str,
    *,
    after: datetime | None = None,
    before: datetime | None = None,
) -> Outcome | None:
    """The earliest outcome meeting ``target`` with ``after <= at < before``
    (each bound optional); ties broken by key."""
    kinds = TARGETS[target]
    best: Outcome | None = None
    for o in outcomes:
        if o.kind not in kinds:
            continue
        if after is not None and o.at < after:
            continue
        if before is not None and o.at >= before:
            continue
        if best is None or (o.at, o.key) < (best.at, best.key):
            best = o
    return best
