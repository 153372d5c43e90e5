"""The daemon's Prometheus metrics, in their own ``CollectorRegistry``.

Every metric is labelled by ``connector`` (the configured name). Counters add
up what each cycle reports; gauges hold the value after the latest cycle.
Label children are created for every configured connector at start-up, so a
scrape shows zeros instead of missing series before the first cycle. A value
that is not known (the API budget before a CRM reported one) is absent, never
a sentinel such as -1. The exposition carries no ``_created`` series (the
client library's creation timestamps of counters and histograms, which would
double every series).

What the state store holds is exported too, refreshed after each cycle (and at
start-up) once ``watch_state`` is given a reader: ``syncd_contacts`` per tier
and ``syncd_contact_scores``, the current score distribution as a histogram
(a snapshot: its buckets go down as well as up).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from syncd import __version__
from syncd.daemon.report import CycleResult
from syncd.daemon.stall import StallCollector, StallWatch
from syncd.state.reports import score_counts, tier_counts

__all__ = ["DaemonMetrics", "StateReader", "StoredCounts", "state_reader"]

log = logging.getLogger("syncd.daemon")

#: Cycle durations: a few seconds for an incremental cycle up to an hour for a full one.
DURATION_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
#: Upper bounds (inclusive) of the score histogram's buckets, in points.
SCORE_BUCKETS = (0, 10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 100, 125, 150, 200)


@dataclass(frozen=True, slots=True)
class StoredCounts:
    """A connector's contacts in the state store: by tier and by score."""

    tiers: Mapping[str, int]
    scores: Mapping[int, int]


#: Reads one connector's ``StoredCounts`` from the state store.
StateReader = Callable[[str], StoredCounts]


def state_reader(engine: sa.Engine) -> StateReader:
    """A ``StateReader`` over the state store's engine (two grouped counts)."""

    def read(connector: str) -> StoredCounts:
        return StoredCounts(tier_counts(engine, connector), score_counts(engine, connector))

    return read


class _StateCollector(Collector):
    """``syncd_contacts`` and ``syncd_contact_scores`` from the latest counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, StoredCounts] = {}

    def update(self, connector: str, counts: StoredCounts) -> None:
        with self._lock:
            self._counts[connector] = counts

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            counts = dict(self._counts)
        contacts = GaugeMetricFamily(
            "syncd_contacts",
            "Contacts in the state store by current tier",
            labels=["connector", "tier"],
        )
        scores = HistogramMetricFamily(
            "syncd_contact_scores",
            "Scores of the contacts in the state store now (a "
            "snapshot after the latest cycle, not a count of observations)",
            labels=["connector"],
        )
        for name, c in sorted(counts.items()):
            for tier, n in sorted(c.tiers.items()):
                contacts.add_metric([name, tier], n)
            buckets = [
                (str(float(le)), float(sum(n for s, n in c.scores.items() if s <= le)))
                for le in SCORE_BUCKETS
            ]
            buckets.append(("+Inf", float(sum(c.scores.values()))))
            scores.add_metric([name], buckets, float(sum(s * n for s, n in c.scores.items())))
        yield contacts
        yield scores


class _WithoutCreated(Collector):
    """The registry's metrics without their ``_created`` samples."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterator[Metric]:
        for metric in self._registry.collect():
            metric.samples = [s for s in metric.samples if not s.name.endswith("_created")]
            yield metric


class DaemonMetrics:
    """The metric families and how one cycle (or one scheduler event) moves them."""

    def __init__(self, connectors: Iterable[str]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        Info("syncd_build", "The running syncd", registry=r).info({"version": __version__})
        label = ["connector"]
        self.cycles = Counter(
            "syncd_cycles",
            "Cycles finished, by kind and status",
            [*label, "kind", "status"],
            registry=r,
        )
        self.pulled = Counter(
            "syncd_records_pulled", "Records pulled from the CRM", label, registry=r
        )
        self.scored = Counter("syncd_records_scored", "Contacts scored", label, registry=r)
        self.written = Counter(
            "syncd_records_written", "Records written to the CRM", label, registry=r
        )
        self.skipped = Counter(
            "syncd_records_skipped",
            "Records that could not be used (unmappable or unscorable)",
            label,
            registry=r,
        )
        self.accounts_written = Counter(
            "syncd_accounts_written", "Account score fields written to the CRM", label, registry=r
        )
        self.unchanged = Counter(
            "syncd_writes_skipped_unchanged",
            "Scored records not written because nothing changed",
            label,
            registry=r,
        )
        self.write_failures = Counter(
            "syncd_write_failures",
            "Record writes the CRM refused or that failed",
            label,
            registry=r,
        )
        self.drift_repaired = Counter(
            "syncd_drift_repaired",
            "CRM score fields restored after a hand edit or lost write",
            label,
            registry=r,
        )
        self.api_calls = Counter(
            "syncd_api_calls", "CRM API calls, by kind", [*label, "kind"], registry=r
        )
        self.http_429 = Counter("syncd_api_429", "HTTP 429 answers from the CRM", label, registry=r)
        self.responses = Counter(
            "syncd_api_responses", "CRM answers by HTTP status code", [*label, "code"], registry=r
        )
        self.job_errors = Counter(
            "syncd_job_errors",
            "Cycles that raised instead of returning a report",
            label,
            registry=r,
        )
        self.missed = Counter(
            "syncd_runs_missed",
            "Scheduled runs not started: missed (late beyond the grace "
            "time), skipped (the previous cycle still running) or "
            "held_elsewhere (another replica syncs the connector)",
            [*label, "reason"],
            registry=r,
        )
        self.dead_letters = Counter(
            "syncd_dead_letters",
            "Writes given up (dead-lettered) after repeated failures",
            label,
            registry=r,
        )
        self.pending = Gauge(
            "syncd_pending_writes",
            "Writes waiting for the next cycle, as of the latest cycle",
            label,
            registry=r,
        )
        self.accounts_pending = Gauge(
            "syncd_account_writes_pending",
            "Account writes waiting for the next cycle",
            label,
            registry=r,
        )
        self.budget = Gauge(
            "syncd_api_budget_remaining",
            "CRM API budget left as last reported (absent while unknown)",
            label,
            registry=r,
        )
        self.last_success = Gauge(
            "syncd_last_success_timestamp_seconds",
            "End of the latest successful cycle (Unix time; 0: never)",
            label,
            registry=r,
        )
        self.last_failed = Gauge(
            "syncd_last_cycle_failed",
            "1 when the latest cycle failed or raised, else 0",
            label,
            registry=r,
        )
        self.duration = Histogram(
            "syncd_cycle_duration_seconds",
            "Duration of finished cycles",
            label,
            buckets=DURATION_BUCKETS,
            registry=r,
        )
        self._state = _StateCollector()
        r.register(self._state)
        self._names = list(connectors)
        self._stalls = StallCollector(self._names)
        r.register(self._stalls)
        self._reader: StateReader | None = None
        self._export = CollectorRegistry(auto_describe=False)
        self._export.register(_WithoutCreated(r))
        for name in self._names:
            self._touch(name)

    def _touch(self, name: str) -> None:
        for metric in (
            self.pulled,
            self.scored,
            self.written,
            self.unchanged,
            self.skipped,
            self.accounts_written,
            self.accounts_pending,
            self.write_failures,
            self.drift_repaired,
            self.http_429,
            self.job_errors,
            self.dead_letters,
            self.pending,
            self.last_success,
            self.last_failed,
            self.duration,
        ):
            metric.labels(connector=name)
        self.responses.labels(connector=name, code="429")
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
        self.write_failures.labels(connector=name).inc(report.write_failures)
        self.drift_repaired.labels(connector=name).inc(report.drift_repaired)
        for kind, calls in report.api_calls.items():
            self.api_calls.labels(connector=name, kind=kind).inc(calls)
        self.http_429.labels(connector=name).inc(report.http_429)
        for code, answers in report.api_responses.items():
            self.responses.labels(connector=name, code=str(code)).inc(answers)
        self.dead_letters.labels(connector=name).inc(report.dead_letters)
        _set_or_remove(self.pending, name, report.pending)
        _set_or_remove(self.accounts_pending, name, report.accounts_pending)
        _set_or_remove(self.budget, name, report.budget_remaining)
        seconds = (report.finished_at - report.started_at).total_seconds()
        self.duration.labels(connector=name).observe(max(seconds, 0.0))
        failed = report.status == "failed"
        self.last_failed.labels(connector=name).set(1 if failed else 0)
        if report.status == "ok":
            self.last_success.labels(connector=name).set(report.finished_at.timestamp())
        self.refresh_state(name)

    def watch_state(self, reader: StateReader) -> None:
        """Export what ``reader`` says the state store holds, now and after every cycle."""
        self._reader = reader
        for name in self._names:
            self.refresh_state(name)

    def refresh_state(self, connector: str) -> None:
        """Read the connector's stored counts again (a failed read keeps the last ones)."""
        if self._reader is None:
            return
        try:
            self._state.update(connector, self._reader(connector))
        except Exception as exc:  # the store's own failure shows in readiness and cycles
            log.warning(
                "state counts not refreshed: %s: %s",
                type(exc).__name__,
                (str(exc).splitlines() or [""])[0][:200],
                extra={"connector": connector, "event": "metrics_state_error"},
            )

    def record_error(self, connector: str) -> None:
        """A cycle raised instead of returning a report."""
        self.job_errors.labels(connector=connector).inc()
        self.cycles.labels(connector=connector, kind="unknown", status="error").inc()
        self.last_failed.labels(connector=connector).set(1)

    def watch_stalls(self, watch: StallWatch) -> None:
        """Export ``syncd_connector_stalled`` from ``watch`` (see ``syncd.daemon.stall``)."""
        self._stalls.watch(watch)

    def record_missed(self, connector: str, reason: str) -> None:
        """A scheduled run did not start (``reason``: ``missed`` or ``skipped``)."""
        self.missed.labels(connector=connector, reason=reason).inc()

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format, without ``_created`` series."""
        return generate_latest(self._export)


def _set_or_remove(gauge: Gauge, connector: str, value: int | None) -> None:
    """Set the connector's gauge, or drop the series when the value is not
    known (None, or negative: the cycle could not count it)."""
    if value is None or value < 0:
        with contextlib.suppress(KeyError):  # not set yet
            gauge.remove(connector)
        return
    gauge.labels(connector=connector).set(value)
