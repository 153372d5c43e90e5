"""What one cycle did (``CycleReport``, also the source of its ``cycle_finished``
log line) and the progress hook a cycle calls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from syncd.sync.dry_run import DryRunSummary

__all__ = ["CycleReport", "Progress"]


class Progress(Protocol):
    """Progress callbacks: a phase starts (``total`` when known), work advances."""

    def phase(self, name: str, total: int | None) -> None: ...

    def advance(self, n: int) -> None: ...


@dataclass(frozen=True)
class CycleReport:
    """One cycle of one connector. ``status``: ``ok``, ``failed``, ``stopped``
    (budget guard or stop request; state saved) or ``skipped`` (another process
    holds the connector's lock; nothing done). ``error`` is for humans and
    never holds a secret."""

    connector: str
    run_id: str
    kind: str
    started_at: datetime
    finished_at: datetime
    status: str
    pulled: int
    scored: int
    written: int
    unchanged: int
    write_failures: int
    dead_letters: int
    pending: int
    drift_repaired: int
    api_calls: Mapping[str, int]
    http_429: int
    budget_remaining: int | None
    error: str | None
    skipped: int = 0
    rescored_all: bool = False
    #: account score fields written, and still pending (contact counts exclude accounts)
    accounts_written: int = 0
    accounts_pending: int = 0
    #: the CRM's answers this cycle by HTTP status (``{200: 41, 429: 2}``)
    api_responses: Mapping[int, int] = field(default_factory=dict)
    dry_run: DryRunSummary | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("dry_run")
        d["started_at"] = self.started_at.isoformat()
        d["finished_at"] = self.finished_at.isoformat()
        d["api_calls"] = dict(self.api_calls)
        d["api_responses"] = {str(code): n for code, n in sorted(self.api_responses.items())}
        return d

    def log_fields(self) -> dict[str, Any]:
        """The ``cycle_finished`` log event's fields, taken from the report: its kind,
        status and counts (``failures`` is ``write_failures``), the duration in
        seconds, the API calls in all and by kind, and the error."""
        return {
            "kind": self.kind,
            "status": self.status,
            "duration_s": round((self.finished_at - self.started_at).total_seconds(), 3),
            "calls": sum(self.api_calls.values()),
            "api_calls": dict(self.api_calls),
            "pulled": self.pulled,
            "scored": self.scored,
            "written": self.written,
            "failures": self.write_failures,
            "dead_letters": self.dead_letters,
            "pending": self.pending,
            "drift_repaired": self.drift_repaired,
            "error": self.error,
        }
