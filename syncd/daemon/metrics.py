"""The daemon's Prometheus metrics, in their own ``CollectorRegistry``.

Every metric is labelled by ``connector`` (the configured name). Counters add
up what each cycle reports; gauges hold the value after the latest cycle.
Label children are created for every configured connector at start-up, so a
scrape shows zeros instead of missing series before the first cycle.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)

from syncd import __version__
from syncd.daemon.report import CycleResult

#: Cycle durations: a few seconds for an incremental cycle up to an hour for a full one.
DURATION_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


class DaemonMetrics:
    """The metric families and how one cycle (or one scheduler event) moves them."""

    def __init__(self, connectors: Iterable[str]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        Info("syncd_build", "The running syncd", registry=r).info({"version": __version__})
        label = ["connector"]
        self.cycles = Counter("syncd_cycles", "Cycles finished, by kind and status",
                              [*label, "kind", "status"], registry=r)
        self.pulled = Counter("syncd_records_pulled", "Records pulled from the CRM",
                              label, registry=r)
        self.scored = Counter("syncd_records_scored", "Contacts scored", label, registry=r)
        self.written = Counter("syncd_records_written", "Records written to the CRM",
                               label, registry=r)
        self.skipped = Counter("syncd_records_skipped",
                               "Records that could not be used (unmappable or unscorable)",
                               label, registry=r)
        self.accounts_written = Counter("syncd_accounts_written",
                                        "Account score fields written to the CRM", label,
                                        registry=r)
        self.unchanged = Counter("syncd_writes_skipped_unchanged",
                                 "Scored records not written because nothing changed",
                                 label, registry=r)
        self.write_failures = Counter("syncd_write_failures",
                                      "Record writes the CRM refused or that failed",
                                      label, registry=r)
        self.drift_repaired = Counter("syncd_drift_repaired",
                                      "CRM score fields restored after a hand edit or lost write",
                                      label, registry=r)
        self.api_calls = Counter("syncd_api_calls", "CRM API calls, by kind",
                                 [*label, "kind"], registry=r)
        self.http_429 = Counter("syncd_api_429", "HTTP 429 answers from the CRM",
                                label, registry=r)
        self.job_errors = Counter("syncd_job_errors",
                                  "Cycles that raised instead of returning a report",
                                  label, registry=r)
        self.missed = Counter("syncd_runs_missed",
                              "Scheduled runs not started: missed (late beyond the grace "
                              "time), skipped (the previous cycle still running) or "
                              "held_elsewhere (another replica syncs the connector)",
                              [*label, "reason"], registry=r)
        self.dead_letters = Counter("syncd_dead_letters",
                                    "Writes given up (dead-lettered) after repeated failures",
                                    label, registry=r)
        self.pending = Gauge("syncd_pending_writes",
                             "Writes waiting for the next cycle, as of the latest cycle",
                             label, registry=r)
        self.accounts_pending = Gauge("syncd_account_writes_pending",
                                      "Account writes waiting for the next cycle", label,
                                      registry=r)
        self.budget = Gauge("syncd_api_budget_remaining",
                            "CRM API budget left as last reported (-1 when unknown)",
                            label, registry=r)
        self.last_success = Gauge("syncd_last_success_timestamp_seconds",
                                  "End of the latest successful cycle (Unix time; 0: never)",
                                  label, registry=r)
        self.last_failed = Gauge("syncd_last_cycle_failed",
                                 "1 when the latest cycle failed or raised, else 0",
                                 label, registry=r)
        self.duration = Histogram("syncd_cycle_duration_seconds", "Duration of finished cycles",
                                  label, buckets=DURATION_BUCKETS, registry=r)
        for name in connectors:
            self._touch(name)

    def _touch(self, name: str) -> None:
        for metric in (self.pulled, self.scored, self.written, self.unchanged, self.skipped,
                       self.accounts_written, self.accounts_pending,
                       self.write_failures, self.drift_repaired, self.http_429,
                       self.job_errors, self.dead_letters, self.pending, self.last_success,
                       self.last_failed, self.duration):
            metric.labels(connector=name)
        self.budget.labels(connector=name).set(-1)
        for reason in ("missed", "skipped", "held_elsewhere"):
            self.missed.labels(connector=name, reason=reason)

    def record_cycle(self, report: CycleResult) -> None:
        """Add one finished cycle's counts."""
        name = report.connector
        self.cycles.labels(connector=name, kind=report.kind, status=report.status).inc()
        self.pulled.labels(connector=name).inc(report.pulled)
        self.scored.labels(connector=name).inc(report.scored)
        self.written.labels(connector=name).inc(report.written)
        self.unchanged.labels(connector=name).inc(report.unchanged)
        self.skipped.labels(connector=name).inc(report.skipped)
        self.accounts_written.labels(connector=name).inc(report.accounts_written)
        self.accounts_pending.labels(connector=name).set(report.accounts_pending)
        self.write_failures.labels(connector=name).inc(report.write_failures)
        self.drift_repaired.labels(connector=name).inc(report.drift_repaired)
        for kind, calls in report.api_calls.items():
            self.api_calls.labels(connector=name, kind=kind).inc(calls)
        self.http_429.labels(connector=name).inc(report.http_429)
        self.dead_letters.labels(connector=name).inc(report.dead_letters)
        self.pending.labels(connector=name).set(report.pending)
        budget = report.budget_remaining
        self.budget.labels(connector=name).set(-1 if budget is None else budget)
        seconds = (report.finished_at - report.started_at).total_seconds()
        self.duration.labels(connector=name).observe(max(seconds, 0.0))
        failed = report.status == "failed"
        self.last_failed.labels(connector=name).set(1 if failed else 0)
        if report.status == "ok":
            self.last_success.labels(connector=name).set(report.finished_at.timestamp())

    def record_error(self, connector: str) -> None:
        """A cycle raised instead of returning a report."""
        self.job_errors.labels(connector=connector).inc()
        self.cycles.labels(connector=connector, kind="unknown", status="error").inc()
        self.last_failed.labels(connector=connector).set(1)

    def record_missed(self, connector: str, reason: str) -> None:
        """A scheduled run did not start (``reason``: ``missed`` or ``skipped``)."""
        self.missed.labels(connector=connector, reason=reason).inc()

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
