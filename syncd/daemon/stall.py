"""Which connectors are wedged: a cycle still running past the time it may take.

Every CRM call has an overall deadline and every cycle a wall-clock budget checked at
each page and batch, so a healthy cycle ends within its connector's ``cycle_budget``
plus one batch. ``StallWatch`` remembers when each running cycle started; a cycle
running longer than its connector's limit (the job's ``stall_after``: the budget plus
``STALL_SLACK``) is stalled. The daemon shows it in ``/readyz`` (not ready, naming the
connector), in the ``syncd_connector_stalled`` gauge and in a warning logged once per
stalled cycle. Thread-safe: cycles start and end on scheduler threads while the HTTP
thread asks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["DEFAULT_STALL_AFTER", "STALL_SLACK", "StallCollector", "StallWatch"]

log = logging.getLogger("syncd.daemon")

#: Past its ``cycle_budget`` a cycle still finishes the page or batch in hand.
STALL_SLACK = timedelta(minutes=10)
#: The limit of a job that names none (the default ``cycle_budget`` plus the slack).
DEFAULT_STALL_AFTER = timedelta(hours=2) + STALL_SLACK


class StallWatch:
    """Running cycles by connector and the limits they are held to."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._running: dict[str, datetime] = {}
        self._limits: dict[str, timedelta] = {}
        self._names: list[str] = []
        self._reported: set[tuple[str, datetime]] = set()

    def set_jobs(self, limits: Iterable[tuple[str, timedelta | None]]) -> None:
        """The configured connectors and their limits (None: the default)."""
        with self._lock:
            self._limits = {n: limit or DEFAULT_STALL_AFTER for n, limit in limits}
            self._names = sorted(self._limits)

    def started(self, connector: str) -> None:
        with self._lock:
            self._running[connector] = self._clock()

    def finished(self, connector: str) -> None:
        with self._lock:
            since = self._running.pop(connector, None)
            if since is not None:
                self._reported.discard((connector, since))

    def running(self) -> list[str]:
        """Connectors with a cycle running now."""
        with self._lock:
            return list(self._running)

    def connectors(self) -> list[str]:
        with self._lock:
            return list(self._names)

    def stalled(self) -> dict[str, str]:
        """Stalled connectors, each with a one-line reason; logs each stall once."""
        now = self._clock()
        found: dict[str, str] = {}
        with self._lock:
            for name, since in self._running.items():
                limit = self._limits.get(name, DEFAULT_STALL_AFTER)
                running = now - since
                if running <= limit:
                    continue
                found[name] = (
                    f"stalled: its cycle has been running for {_show(running)} "
                    f"(since {since.isoformat(timespec='seconds')}), longer than the "
                    f"{_show(limit)} it may take (cycle_budget and one batch)"
                )
                fresh = (name, since) not in self._reported
                self._reported.add((name, since))
                if fresh:
                    log.warning(
                        "connector %s is stalled: %s",
                        name,
                        found[name],
                        extra={
                            "connector": name,
                            "event": "connector_stalled",
                            "running_s": round(running.total_seconds()),
                        },
                    )
        return found


class StallCollector(Collector):
    """``syncd_connector_stalled``: 1 for each stalled connector, else 0 (0 for each of
    ``connectors`` until a ``StallWatch`` is given)."""

    def __init__(self, connectors: Iterable[str]) -> None:
        self._names = list(connectors)
        self._watch: StallWatch | None = None

    def watch(self, watch: StallWatch) -> None:
        self._watch = watch

    def collect(self) -> Iterator[Metric]:
        watch = self._watch
        stalled = watch.stalled() if watch is not None else {}
        names = watch.connectors() if watch is not None else self._names
        gauge = GaugeMetricFamily(
            "syncd_connector_stalled",
            "1 while the connector's cycle runs longer than its cycle_budget allows, else 0",
            labels=["connector"],
        )
        for name in sorted({*names, *stalled}):
            gauge.add_metric([name], 1.0 if name in stalled else 0.0)
        yield gauge


def _show(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"
