"""The one retry policy every connector call runs under (tenacity).

A connector classifies what went wrong (``classify``): ``TRANSIENT`` (5xx, a dropped
connection, a row lock) is retried with jittered exponential backoff, at most
``max_attempts`` tries in all; ``RATE_LIMITED`` (429) waits the server's
``Retry-After`` (capped at ``retry_after_cap_s``) or the backoff, and these waits do
not count as failed attempts; they have their own bound, ``max_rate_limit_waits``,
so the policy always stops. Anything else (``None``) is raised at once. A call that
outlived its overall deadline (``DeadlineExceeded``) is ``TRANSIENT`` whatever
``classify`` says. ``sleep`` is injected (tests and the sandboxes never really wait).

What the policy gives up on is re-raised unchanged; the connector converts it into
the typed errors of ``connectors.base`` (``RateLimited``, ``RetriableError`` ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception
from tenacity.wait import wait_random_exponential

from connectors.kit.deadline import DeadlineExceeded

T = TypeVar("T")

__all__ = ["Failure", "Kind", "RetryPolicy"]


class Kind(Enum):
    TRANSIENT = "transient"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True, slots=True)
class Failure:
    """How the policy treats one exception: its kind and the server's hint, if any."""

    kind: Kind
    retry_after_s: float | None = None


Classify = Callable[[BaseException], Failure | None]


class RetryPolicy:
    """Retry ``fn`` while ``classify`` says the failure is worth another try."""

    def __init__(
        self,
        classify: Classify,
        *,
        sleep: Callable[[float], None],
        max_attempts: int = 5,
        max_rate_limit_waits: int = 10,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        retry_after_cap_s: float = 120.0,
        on_rate_limited: Callable[[BaseException], None] | None = None,
    ) -> None:
        if max_attempts < 1 or max_rate_limit_waits < 0:
            raise ValueError("max_attempts must be >= 1 and max_rate_limit_waits >= 0")
        self.classify = classify
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.max_rate_limit_waits = max_rate_limit_waits
        self.retry_after_cap_s = retry_after_cap_s
        self.on_rate_limited = on_rate_limited
        self._backoff = wait_random_exponential(multiplier=backoff_initial_s, max=backoff_max_s)

    def kind_of(self, exc: BaseException) -> Failure | None:
        """How the policy treats ``exc`` (None: raise it at once)."""
        if isinstance(exc, DeadlineExceeded):
            return Failure(Kind.TRANSIENT)
        return self.classify(exc)

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` under the policy; the last exception when it gives up."""
        counts = {Kind.TRANSIENT: 0, Kind.RATE_LIMITED: 0}

        def failure(state: RetryCallState) -> Failure | None:
            exc = state.outcome.exception() if state.outcome is not None else None
            return self.kind_of(exc) if exc is not None else None

        def stop(state: RetryCallState) -> bool:
            found = failure(state)
            if found is None:
                return True
            counts[found.kind] += 1
            if found.kind is Kind.RATE_LIMITED:
                if self.on_rate_limited is not None and state.outcome is not None:
                    exc = state.outcome.exception()
                    if exc is not None:
                        self.on_rate_limited(exc)
                return counts[Kind.RATE_LIMITED] > self.max_rate_limit_waits
            return counts[Kind.TRANSIENT] >= self.max_attempts

        def wait(state: RetryCallState) -> float:
            found = failure(state)
            if found is not None and found.retry_after_s is not None:
                return min(max(0.0, found.retry_after_s), self.retry_after_cap_s)
            # the backoff grows with the failures of this call, whatever their kind
            return float(self._backoff(state))

        retrying = Retrying(
            stop=stop,
            wait=wait,
            retry=retry_if_exception(lambda e: self.kind_of(e) is not None),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(fn)
