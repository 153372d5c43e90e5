"""A stand-in for the engine's CycleReport and a scriptable cycle function."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FakeReport:
    connector: str
    run_id: str = "r1"
    kind: str = "incremental"
    started_at: datetime = T0
    finished_at: datetime = T0 + timedelta(seconds=2)
    status: str = "ok"
    pulled: int = 10
    scored: int = 8
    written: int = 3
    unchanged: int = 5
    write_failures: int = 1
    dead_letters: int = 2
    pending: int = 4
    drift_repaired: int = 1
    api_calls: Mapping[str, int] = field(default_factory=lambda: {"read": 5, "write": 2})
    http_429: int = 1
    api_responses: Mapping[int, int] = field(default_factory=lambda: {200: 6, 429: 1})
    budget_remaining: int | None = 900
    error: str | None = None
    skipped: int = 3
    accounts_written: int = 2
    accounts_pending: int = 1


Behaviour = Callable[[str, threading.Event, int], FakeReport]


class FakeCycle:
    """Counts calls per connector and delegates to ``behaviour(connector, stop, n)``
    (``n`` = this connector's call number, from 1)."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()
        self.called = threading.Condition(self.lock)
        self.behaviour = behaviour or (lambda name, stop, n: FakeReport(name, run_id=f"r{n}"))

    def __call__(self, connector: str, stop: threading.Event) -> FakeReport:
        with self.called:
            n = self.calls.get(connector, 0) + 1
            self.calls[connector] = n
            self.called.notify_all()
        return self.behaviour(connector, stop, n)

    def wait_calls(self, connector: str, n: int, timeout: float = 10.0) -> bool:
        with self.called:
            return self.called.wait_for(lambda: self.calls.get(connector, 0) >= n, timeout)
