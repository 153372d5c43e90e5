"""The daemon: scheduler, HTTP endpoint, metrics, readiness and signals around
one injected cycle function.

``Daemon(jobs, cycle, state_probe=..., options=...)`` binds the HTTP port at
construction (so a busy port fails before anything runs); ``run()`` serves
until a stop is requested and returns the exit status (0).

Stopping: the first SIGTERM or SIGINT (or ``request_stop()``) sets the
``stop`` event every running cycle was given, so each cycle ends after its
current batch with its state committed; no new run starts; ``run()`` waits for
the running cycles, stops the endpoint and returns 0. Cycles still running
``shutdown_grace`` after the stop request (a wedged connector) do not hold the
process: it exits then (status 130), as a second signal does at once: the state
store is crash-safe, so the next start repairs whatever the interrupted batch
left undone.

Stalls: a cycle running longer than its job's ``stall_after`` shows in
``/readyz``, ``syncd_connector_stalled`` and the log (``syncd.daemon.stall``).

Reloading: SIGHUP (or ``request_reload()``) calls the injected ``reload`` on a
thread of its own, one reload at a time. ``reload`` reads the config again and,
when it is usable, activates it for the cycles that start from then on and
returns the new jobs; the scheduler then adds, reschedules and removes jobs to
match. Running cycles are never interrupted: each ends with the config it
started with. When ``reload`` raises ``ReloadRefused`` (or anything else) the
running config stays, and the reason is logged and shown in ``/healthz``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from syncd.daemon import signals
from syncd.daemon.health import Health, StateProbe
from syncd.daemon.http import HealthServer
from syncd.daemon.metrics import DaemonMetrics
from syncd.daemon.report import CycleFn, CycleResult
from syncd.daemon.scheduler import JobSpec, SyncScheduler
from syncd.daemon.stall import StallWatch

log = logging.getLogger("syncd.daemon")

EXIT_INTERRUPTED = 130

__all__ = ["ConnectorGone", "Daemon", "DaemonOptions", "JobSpec", "Reload", "ReloadRefused"]


class ReloadRefused(Exception):
    """The new config cannot be used; the message says why (never a secret)."""


class ConnectorGone(Exception):
    """Raised by a cycle function for a connector that a reload removed."""


#: Reads the config again, activates it and returns the new jobs; raises
#: ``ReloadRefused`` (nothing changed) when the new config cannot be used.
Reload = Callable[[], Sequence[JobSpec]]


@dataclass(frozen=True, slots=True)
class DaemonOptions:
    """Where the endpoint listens, how late a scheduled run may start and how long
    running cycles get to stop after the first SIGTERM."""

    host: str = "127.0.0.1"
    port: int = 9464
    misfire_grace: timedelta = timedelta(minutes=5)
    shutdown_grace: timedelta = timedelta(seconds=30)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _no_state_check() -> str | None:
    return None


class Daemon:
    """One process running every connector on its schedule."""

    def __init__(
        self,
        jobs: Sequence[JobSpec],
        cycle: CycleFn,
        *,
        state_probe: StateProbe = _no_state_check,
        options: DaemonOptions | None = None,
        redact: Callable[[str], str] = str,
        clock: Callable[[], datetime] = _utcnow,
        exit_now: Callable[[int], object] = os._exit,
        reload: Reload | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        opts = options or DaemonOptions()
        names = [job.connector for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError("each connector may have only one job")
        self.stop = threading.Event()
        self.stalls = StallWatch(clock)
        self.stalls.set_jobs((job.connector, job.stall_after) for job in jobs)
        self.metrics = DaemonMetrics(names)
        self.metrics.watch_stalls(self.stalls)
        self.health = Health(names, state_probe, self.stalls.stalled)
        self._grace = opts.shutdown_grace.total_seconds()
        self._monotonic = monotonic
        self._stop_requested: float | None = None
        self._cycle = cycle
        self._exit_now = exit_now
        self._jobs = list(jobs)
        self._reload = reload
        self._reload_lock = threading.Lock()
        self.scheduler = SyncScheduler(
            jobs,
            self._run_job,
            self.metrics,
            self.health,
            misfire_grace=opts.misfire_grace,
            clock=clock,
            on_started=self._on_started,
        )
        self.http = HealthServer(
            self.health, self.metrics, host=opts.host, port=opts.port, redact=redact
        )

    @property
    def address(self) -> tuple[str, int]:
        """The endpoint's bound host and port."""
        return self.http.address

    def run(self, *, handle_signals: bool = True) -> int:
        """Serve until stopped; returns the exit status. ``handle_signals`` needs
        the main thread (tests running the daemon on another thread pass False)."""
        restore = (
            signals.install(self._on_signal, self._on_reload_signal if self._reload else None)
            if handle_signals
            else None
        )
        self.http.start()
        host, port = self.address
        log.info(
            "syncd started: %d connector(s); health and metrics on http://%s:%d",
            len(self._jobs),
            host,
            port,
            extra={
                "event": "daemon_started",
                "http_host": host,
                "http_port": port,
                "jobs": {j.connector: j.schedule.describe() for j in self._jobs},
            },
        )
        try:
            if not self.stop.is_set():
                self.scheduler.start()
            if not self.scheduler.wait_for_running(self._grace_over):
                self._grace_expired()
        finally:
            if restore is not None:
                restore()
            self.http.stop()
        log.info("syncd stopped", extra={"event": "daemon_stopped"})
        return 0

    def request_stop(self, reason: str = "requested") -> None:
        """Stop after the current batch of every running cycle (idempotent)."""
        first = not self.stop.is_set()
        self.stop.set()
        if first:
            self._stop_requested = self._monotonic()
            log.info(
                "stopping after the current batch (%s)",
                reason,
                extra={"event": "daemon_stopping", "reason": reason},
            )
        # Not on the caller's thread: a signal handler may interrupt the scheduler itself.
        threading.Thread(target=self.scheduler.shutdown, name="syncd-stop", daemon=True).start()

    def request_reload(self) -> threading.Thread | None:
        """Reload the config on a thread of its own (returned, so that a caller
        may wait for it); None when there is nothing to reload or the daemon is
        stopping. Safe to call from a signal handler."""
        if self._reload is None or self.stop.is_set():
            return None
        thread = threading.Thread(target=self._reload_now, name="syncd-reload", daemon=True)
        thread.start()
        return thread

    # -- internals --------------------------------------------------------------
    def _reload_now(self) -> None:
        assert self._reload is not None
        with self._reload_lock:
            if self.stop.is_set():
                return
            log.info("reloading the config", extra={"event": "reload_started"})
            try:
                jobs = list(self._reload())
            except ReloadRefused as exc:
                self._refused(str(exc))
                return
            except Exception as exc:  # a reload must never take the daemon down
                log.exception("reload failed")
                self._refused(f"{type(exc).__name__}: {exc}")
                return
            self.scheduler.set_jobs(jobs)
            self.stalls.set_jobs((job.connector, job.stall_after) for job in jobs)
            self.health.set_connectors(job.connector for job in jobs)
            self._jobs = jobs
            self.health.reloaded("ok")
            log.info(
                "config reloaded: %d connector(s)",
                len(jobs),
                extra={
                    "event": "config_reloaded",
                    "jobs": {j.connector: j.schedule.describe() for j in jobs},
                },
            )

    def _on_reload_signal(self) -> None:
        self.request_reload()

    def _refused(self, reason: str) -> None:
        self.health.reloaded("refused", reason)
        log.warning(
            "config reload refused, the running config stays: %s",
            reason,
            extra={"event": "reload_refused", "reason": reason},
        )

    def _on_signal(self, signum: int) -> None:
        if self.stop.is_set():
            log.warning(
                "second %s: stopping now",
                signals.name(signum),
                extra={"event": "daemon_killed", "signal": signals.name(signum)},
            )
            self._exit_now(EXIT_INTERRUPTED)
            return
        self.request_stop(signals.name(signum))

    def _grace_over(self) -> bool:
        """True once the running cycles had ``shutdown_grace`` to stop after a stop."""
        since = self._stop_requested
        return since is not None and self._monotonic() - since >= self._grace

    def _grace_expired(self) -> None:
        running = ", ".join(sorted(self.stalls.running())) or "none"
        log.warning(
            "cycles still running %gs after the stop request (%s): exiting now",
            self._grace,
            running,
            extra={"event": "daemon_killed", "reason": "shutdown_grace", "running": running},
        )
        self._exit_now(EXIT_INTERRUPTED)

    def _on_started(self) -> None:
        if self.stop.is_set():  # a signal arrived while the scheduler was starting
            self.scheduler.shutdown()

    def _run_job(self, connector: str) -> CycleResult | None:
        if self.stop.is_set():
            return None
        self.stalls.started(connector)
        try:
            return self._cycle(connector, self.stop)
        except ConnectorGone:
            return None  # removed by a reload just before this run started
        finally:
            self.stalls.finished(connector)
