"""Client-side pacing: token buckets mirroring a CRM's rolling limits, on an injected clock.

A request takes one token from its bucket before it is sent (``acquire`` sleeps, through
the injected ``sleep``, until one is available). The buckets start full and refill
continuously, like the CRM's; because a request reaches the CRM no earlier than it left
the bucket, an account used by syncd alone never answers 429. ``Pacer`` routes each kind
of call to its bucket (or to none).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

MIN_WAIT_S = 0.001


class TokenBucket:
    """``capacity`` requests per ``window_s`` seconds, refilled continuously.

    ``reserve`` tokens of the burst are never spent: requests reach the CRM a little
    later than they leave the bucket, and not all equally late (the first one on a
    new connection is slowest), so a client bucket exactly as deep as the CRM's can
    be a fraction of a token ahead of it. The refill rate stays ``capacity / window_s``.
    """

    def __init__(
        self,
        capacity: int,
        window_s: float,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        reserve: int = 0,
    ) -> None:
        if capacity < 1 or window_s <= 0 or not 0 <= reserve < capacity:
            raise ValueError("capacity must be >= 1, window_s > 0, 0 <= reserve < capacity")
        self._rate = capacity / window_s
        capacity -= reserve
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(capacity)
        self._stamp = clock()
        self._lock = threading.Lock()
        #: Seconds spent waiting for tokens, in all.
        self.waited_s = 0.0

    def _refill(self) -> None:
        now = self._clock()
        if now > self._stamp:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now

    def acquire(self) -> None:
        """Take one token, sleeping until one is available."""
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= 1.0 - 1e-9:
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return
                # at least a millisecond: a clock in epoch seconds cannot show less
                wait = max((1.0 - self._tokens) / self._rate, MIN_WAIT_S)
                self.waited_s += wait
            self._sleep(wait)

    def drain(self) -> None:
        """Forget the tokens left (after a 429: someone else is spending this budget)."""
        with self._lock:
            self._refill()
            self._tokens = 0.0


class Pacer:
    """Routes each kind of call to its bucket: ``by_kind`` names the kinds with their
    own bucket (``None``: not paced, e.g. auth calls), every other kind takes a token
    from ``default`` (``None``: not paced)."""

    def __init__(
        self,
        default: TokenBucket | None,
        by_kind: Mapping[str, TokenBucket | None] | None = None,
    ) -> None:
        self.default = default
        self.by_kind = dict(by_kind or {})

    def bucket(self, kind: str) -> TokenBucket | None:
        return self.by_kind.get(kind, self.default)

    def acquire(self, kind: str) -> None:
        """Pace one call of ``kind``."""
        bucket = self.bucket(kind)
        if bucket is not None:
            bucket.acquire()

    def drain(self, kind: str) -> None:
        """After a 429 on a call of ``kind``: its bucket's tokens are spent elsewhere."""
        bucket = self.bucket(kind)
        if bucket is not None:
            bucket.drain()
