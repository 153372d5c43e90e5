"""The state one running cycle carries through its steps (``CycleContext``): the
engine, the connector (opened on first use), the counts it has made so far
(``Tally``), its log events and progress calls, the stop/budget ``checkpoint``,
and the ``CycleReport`` built from all of it."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.base import Connector, Usage
from syncd.sync.dry_run import DryRunSummary
from syncd.sync.engine import Engine
from syncd.sync.report import CycleReport, Progress

__all__ = ["CycleContext", "Stopped", "Tally", "log"]

log = logging.getLogger("syncd.sync")


class Stopped(Exception):
    """The cycle ends here with status ``stopped`` (stop request, wall-clock or API
    budget, rate limit); what it committed stands."""


@dataclass
class Tally:
    """What the cycle has done so far, and how it ended."""

    pulled: int = 0
    skipped: int = 0
    scored: int = 0
    written: int = 0
    unchanged: int = 0
    write_failures: int = 0
    dead_letters: int = 0
    drift_repaired: int = 0
    accounts_written: int = 0
    rescored_all: bool = False
    status: str = "ok"
    error: str | None = None
    usage: Usage = field(default_factory=Usage)


class CycleContext:
    """One cycle of connector ``name``: what its steps share."""

    def __init__(
        self,
        app: Engine,
        name: str,
        run_id: str,
        started: datetime,
        stop: threading.Event,
        progress: Progress | None,
        dry_run: bool,
    ) -> None:
        self.app, self.name, self.run_id, self.started = app, name, run_id, started
        self.stop, self.progress, self.dry_run = stop, progress, dry_run
        self.cfg = app.config(name)
        self.deadline = started + self.cfg.cycle_budget
        self.store = app.store
        self.t = Tally()
        self.conn: Connector | None = None
        self.usage_before = Usage()
        self.summary = DryRunSummary(now=started) if dry_run else None

    def event(self, event: str, level: int = logging.INFO, **counts: Any) -> None:
        """Log ``event`` with the connector, the run id and ``counts``."""
        log.log(
            level,
            event.replace("_", " "),
            extra={"connector": self.name, "run_id": self.run_id, "event": event, **counts},
        )

    def phase(self, name: str, total: int | None) -> None:
        if self.progress is not None:
            self.progress.phase(name, total)

    def advance(self, n: int) -> None:
        if self.progress is not None:
            self.progress.advance(n)

    def connector(self) -> Connector:
        """The engine's connector, its usage noted the first time the cycle asks."""
        if self.conn is None:
            self.conn = self.app.connector(self.name)
            self.usage_before = self.conn.usage()
        return self.conn

    def checkpoint(self) -> None:
        """Stop here (a page, chunk or batch boundary) when asked to or when the
        cycle's wall-clock budget is spent."""
        if self.stop.is_set():
            raise Stopped("stop requested")
        if self.app.clock() >= self.deadline:
            raise Stopped(
                f"cycle budget: the cycle ran past its cycle_budget of {self.cfg.cycle_budget}; "
                "what it committed stands, the rest waits for the next cycle"
            )

    def usage_this_cycle(self, conn: Connector) -> Usage:
        """This cycle's calls, answers and 429s (a connector counts over the engine's life)."""
        now, before = conn.usage(), self.usage_before
        calls = {k: n - before.calls.get(k, 0) for k, n in now.calls.items()}
        answers = {k: n - before.responses.get(k, 0) for k, n in now.responses.items()}
        return Usage(
            calls={k: n for k, n in calls.items() if n},
            http_429=now.http_429 - before.http_429,
            responses={k: n for k, n in answers.items() if n},
            budget_remaining=now.budget_remaining,
            budget_limit=now.budget_limit,
            calls_left=now.calls_left,
            stop=now.stop,
        )

    def report(self, kind: str) -> CycleReport:
        """The run report as things stand (the pending counts are -1 when the store
        itself cannot answer: the report still goes out)."""
        t = self.t
        try:
            pending = self.store.pending_count(self.name)
            accounts_pending = self.store.pending_account_count(self.name)
        except Exception:  # the store itself failed: the report still goes out
            pending = accounts_pending = -1
        return CycleReport(
            connector=self.name,
            run_id=self.run_id,
            kind=kind,
            started_at=self.started,
            finished_at=self.app.clock(),
            status=t.status,
            pulled=t.pulled,
            scored=t.scored,
            written=t.written,
            unchanged=t.unchanged,
            write_failures=t.write_failures,
            dead_letters=t.dead_letters,
            pending=pending,
            drift_repaired=t.drift_repaired,
            api_calls=dict(t.usage.calls),
            http_429=t.usage.http_429,
            budget_remaining=t.usage.budget_remaining,
            skipped=t.skipped,
            error=None if t.error is None else self.store.redact.text(t.error),
            rescored_all=t.rescored_all,
            accounts_written=t.accounts_written,
            accounts_pending=accounts_pending,
            api_responses=dict(t.usage.responses),
            dry_run=self.summary,
        )
