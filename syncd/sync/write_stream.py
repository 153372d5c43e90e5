"""The cycle's writes as the ordered stream ``Connector.write`` takes: queued
writes (most important first, then accounts) become updates as the connector
takes them, within the cycle's allowance, and the outcomes that come back in the
same order are paired with the writes they answer."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime

from connectors.base import AccountUpdate, ContactUpdate, RetriableError, WriteOutcome
from syncd.state import PendingAccount, PendingWrite

__all__ = ["WriteStream"]


class WriteStream:
    """The ordered stream of updates handed to ``Connector.write``: queued writes
    turned into updates as the connector takes them (never more than ``cap``), and
    the FIFO of those taken, to pair with the outcomes arriving in the same order."""

    def __init__(
        self, queue: Iterable[PendingWrite | PendingAccount], cap: int | None, scored_at: datetime
    ) -> None:
        self._queue = iter(queue)
        self._cap = cap
        self._scored_at = scored_at
        self._taken: deque[PendingWrite | PendingAccount] = deque()
        self._open = True
        self.handed = 0

    def __iter__(self) -> WriteStream:
        return self

    def __next__(self) -> ContactUpdate | AccountUpdate:
        if not self._open or (self._cap is not None and self.handed >= self._cap):
            raise StopIteration
        item = next(self._queue)
        self._taken.append(item)
        self.handed += 1
        if isinstance(item, PendingAccount):
            return AccountUpdate(
                id=item.id, score=item.score, summary=item.summary, priority=item.priority
            )
        return ContactUpdate(
            id=item.id,
            kind=item.kind,
            score=item.values.score,
            tier=item.values.tier,
            reasons=item.values.reasons,
            priority=item.values.priority,
            scored_at=self._scored_at,
            mql_at=item.mql_at,
            probability=item.values.probability,
        )

    def close(self) -> None:
        """Hand out nothing more."""
        self._open = False

    def settle(self, outcomes: Sequence[WriteOutcome]) -> list[PendingWrite | PendingAccount]:
        """The writes ``outcomes`` answer (the oldest taken); ``RetriableError`` when the
        connector answered more outcomes than it took, or out of order."""
        if len(outcomes) > len(self._taken):
            raise RetriableError(
                f"connector answered {len(outcomes)} outcomes for "
                f"{len(self._taken)} updates; nothing recorded, "
                "retried next cycle"
            )
        sent = [self._taken.popleft() for _ in outcomes]
        for w, o in zip(sent, outcomes, strict=True):
            if w.id != o.id:
                raise RetriableError(
                    f"connector answered {o.id} where {w.id} was due; "
                    "nothing recorded, retried next cycle"
                )
        return sent
