"""Request recording and the statistics served at `/__sandbox/stats`."""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the sandbox saw and answered it."""

    method: str
    path: str
    template: str
    query: Mapping[str, list[str]]
    body: bytes
    status: int | None  # None: the connection was dropped on purpose
    latency_ms: float

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.template}"

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "endpoint": self.endpoint,
            "query": dict(self.query),
            "body": self.body.decode("utf-8", "replace"),
            "status": self.status,
            "latency_ms": round(self.latency_ms, 3),
        }


class RequestLog:
    """Thread-safe log of requests (the newest `keep` in full) and unbounded counters."""

    def __init__(self, keep: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._items: deque[RecordedRequest] = deque(maxlen=keep)
        self._by_endpoint: Counter[str] = Counter()
        self._by_status: Counter[str] = Counter()
        self._total = 0

    def add(self, item: RecordedRequest) -> None:
        with self._lock:
            self._items.append(item)
            self._by_endpoint[item.endpoint] += 1
            self._by_status["dropped" if item.status is None else str(item.status)] += 1
            self._total += 1

    def reset(self) -> None:
        with self._lock:
            self._items.clear()
            self._by_endpoint.clear()
            self._by_status.clear()
            self._total = 0

    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the recorded requests, oldest first."""
        with self._lock:
            return list(self._items)

    def count(self, endpoint: str | None = None, status: int | None = None) -> int:
        """How many requests hit `endpoint` ("POST /crm/v3/...") and/or answered `status`."""
        with self._lock:
            if endpoint is None and status is None:
                return self._total
            if status is None and endpoint is not None:
                return self._by_endpoint[endpoint]
            if endpoint is None:
                return self._by_status[str(status)]
            return sum(1 for r in self._items if r.endpoint == endpoint and r.status == status)

    def stats(self, objects: Mapping[str, int]) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self._total,
                "by_endpoint": dict(sorted(self._by_endpoint.items())),
                "by_status": dict(sorted(self._by_status.items())),
                "objects": dict(objects),
            }
