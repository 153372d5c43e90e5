"""Token buckets that model the CRM rate limits in the sandbox servers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Admission:
    """Outcome of asking a bucket for one token."""

    allowed: bool
    remaining: int
    retry_after_s: float


class TokenBucket:
    """`capacity` requests per `window_s` seconds, refilled continuously.

    `clock` returns seconds (monotonic); tests pass their own to step time.
    """

    def __init__(
        self,
        capacity: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity <= 0 or window_s <= 0:
            raise ValueError("capacity and window must be positive")
        self.capacity = capacity
        self.window_s = window_s
        self._rate = capacity / window_s
        self._clock = clock
        self._tokens = float(capacity)
        self._stamp = clock()
        self._lock = threading.Lock()

    def take(self) -> Admission:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return Admission(True, int(self._tokens), 0.0)
            return Admission(False, 0, (1.0 - self._tokens) / self._rate)

    def remaining(self) -> int:
        with self._lock:
            now = self._clock()
            return int(min(self.capacity, self._tokens + (now - self._stamp) * self._rate))

    def reset(self) -> None:
        with self._lock:
            self._tokens = float(self.capacity)
            self._stamp = self._clock()


class DailyCounter:
    """A plain counter against a daily allocation (no refill inside a run)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Count one call; False once the allocation is spent (the call is not counted)."""
        with self._lock:
            if self.used >= self.limit:
                return False
            self.used += 1
            return True

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)
