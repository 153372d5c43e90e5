"""One manual clock for every test that injects time or sleep."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

#: A fixed instant (2026-09-21T11:06:40Z) in epoch seconds; any fixed value works.
T0 = 1_790_000_000.0


class ManualClock:
    """A clock that moves only when told to.

    Call it for the current time in seconds (pass it where code takes
    ``clock: Callable[[], float]``); pass ``clock.sleep`` where code takes
    ``sleep``: each sleep is recorded in ``sleeps`` and advances the clock by
    that much, so tests assert waits instead of waiting. Safe to share with
    code that calls it from worker threads."""

    def __init__(self, start: float = T0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def utc(self) -> datetime:
        """The current time as an aware UTC datetime."""
        return datetime.fromtimestamp(self(), tz=UTC)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` without recording a sleep."""
        with self._lock:
            self.now += seconds

    def sleep(self, seconds: float) -> None:
        """Record a requested sleep and advance the clock by it."""
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds
