"""The budget meter: calls by kind, answers by HTTP status, the CRM's daily allowance and the one
verdict "stop this cycle" (``Usage.stop``), thread-safe.

Where the CRM reports its allowance (HubSpot's ``X-HubSpot-RateLimit-Daily*``
headers, Salesforce's ``Sforce-Limit-Info``) the report wins, and the calls made since
it are added from the meter's own count; without any report the own count is
measured against the configured ``daily_limit`` (None: unknown, the guard never
stops on its own count). The guard stops once ``share`` of the allowance is used, or
as soon as the CRM says the allowance is spent (``exhausted``).

Calls are counted by the meter itself (``count``) or, for a connector whose HTTP
session already counts every request, by that session (``counts``: any object with
``calls``). The connector tells the meter the HTTP status of every answer the CRM
gave (``answered``), success or error; 429s are counted from those.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from typing import Protocol

from connectors.base import BudgetExhausted, Usage

__all__ = ["BudgetMeter", "CallCounts", "Guard"]


class Guard(Protocol):
    """What the stream driver and the batcher ask between pages and batches."""

    @property
    def stop(self) -> bool: ...


class CallCounts(Protocol):
    """Someone else's call counter (e.g. an HTTP session that counts its requests)."""

    @property
    def calls(self) -> Mapping[str, int]: ...


class _OwnCounts:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()


class BudgetMeter:
    """Usage of one connector since it was built, and the budget guard's verdict."""

    def __init__(
        self, daily_limit: int | None, share: float, *, counts: CallCounts | None = None
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError("share must be in (0, 1]")
        self._lock = threading.Lock()
        self._own = _OwnCounts()
        self._responses: Counter[int] = Counter()
        self._counts: CallCounts = counts if counts is not None else self._own
        self._limit = daily_limit
        self._share = share
        self._reported_remaining: int | None = None
        self._total_at_report = 0
        self._exhausted = False

    # -- what happened -----------------------------------------------------------------
    def count(self, kind: str) -> None:
        """One call of ``kind`` (only when the meter counts calls itself)."""
        with self._lock:
            self._own.calls[kind] += 1

    def answered(self, status: int) -> None:
        """The CRM answered one request with HTTP ``status`` (any answer, success or
        error; a request without an answer is not reported)."""
        with self._lock:
            self._responses[status] += 1

    def report(self, limit: int, remaining: int) -> None:
        """The CRM reported its daily allowance and what is left of it."""
        with self._lock:
            self._limit = limit
            self._reported_remaining = remaining
            self._total_at_report = sum(self._counts.calls.values())

    def exhausted(self) -> None:
        """The CRM said the daily allowance is spent."""
        with self._lock:
            self._exhausted = True

    # -- the verdict -------------------------------------------------------------------
    @property
    def stop(self) -> bool:
        """Whether the budget guard wants this cycle to stop calling the CRM."""
        return self.snapshot().stop

    def require(self, what: str) -> None:
        """Raise ``BudgetExhausted`` naming ``what`` when the guard says stop."""
        if self.stop:
            raise BudgetExhausted(
                f"budget guard: the API allowance share is spent; {what} waits for the next cycle"
            )

    def snapshot(self) -> Usage:
        with self._lock:
            calls = dict(self._counts.calls)
            total = sum(calls.values())
            responses = dict(self._responses)
            http_429 = responses.get(429, 0)
            if self._limit is None:
                return Usage(
                    calls=calls, http_429=http_429, responses=responses, stop=self._exhausted
                )
            if self._reported_remaining is None:
                remaining = max(0, self._limit - total)
            else:
                remaining = max(0, self._reported_remaining - (total - self._total_at_report))
            used = self._limit - remaining
            left = max(0, int(self._limit * self._share) - used)
            return Usage(
                calls=calls,
                http_429=http_429,
                responses=responses,
                budget_remaining=remaining,
                budget_limit=self._limit,
                calls_left=left,
                stop=self._exhausted or left == 0,
            )
