"""Counting calls and the daily budget (thread-safe); the budget guard's verdict."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping

from connectors.base import Usage


class UsageMeter:
    """Calls by kind, 429s, and the daily allowance.

    HubSpot reports the daily allowance in ``X-HubSpot-RateLimit-Daily(-Remaining)`` on
    private-app calls only (not on search, not with OAuth); where it does, the headers
    win, and calls made since the last report are added from the connector's own count.
    Without any report, the own count is measured against ``daily_limit``.
    """

    def __init__(self, daily_limit: int, share: float) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._http_429 = 0
        self._limit = daily_limit
        self._share = share
        self._reported_remaining: int | None = None
        self._since_report = 0
        self._stopped = False

    def count(self, kind: str) -> None:
        with self._lock:
            self._calls[kind] += 1
            self._since_report += 1

    def saw_429(self) -> None:
        with self._lock:
            self._http_429 += 1

    def headers(self, headers: Mapping[str, str]) -> None:
        """Take the budget from a response's headers when they carry it."""
        lowered = {k.lower(): v for k, v in headers.items()}
        limit = lowered.get("x-hubspot-ratelimit-daily")
        remaining = lowered.get("x-hubspot-ratelimit-daily-remaining")
        if limit is None or remaining is None:
            return
        try:
            limit_n, remaining_n = int(limit), int(remaining)
        except ValueError:
            return
        with self._lock:
            self._limit = limit_n
            self._reported_remaining = remaining_n
            self._since_report = 0

    def exhausted(self) -> None:
        """HubSpot said the daily allowance is spent."""
        with self._lock:
            self._stopped = True

    def snapshot(self) -> Usage:
        with self._lock:
            own = sum(self._calls.values())
            if self._reported_remaining is None:
                remaining = max(0, self._limit - own)
            else:
                remaining = max(0, self._reported_remaining - self._since_report)
            used = self._limit - remaining
            left = max(0, int(self._limit * self._share) - used)
            return Usage(
                calls=dict(self._calls),
                http_429=self._http_429,
                budget_remaining=remaining,
                budget_limit=self._limit,
                calls_left=left,
                stop=self._stopped or left == 0,
            )
