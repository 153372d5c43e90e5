"""The APScheduler 3 BlockingScheduler that runs one job per connector.

Each connector gets one job with the fixed id ``sync:<connector>``,
``coalesce=True`` (runs missed while the process was busy or asleep collapse
into one), ``max_instances=1`` (a connector never runs twice at once; a run due
while the previous one still works is skipped and counted) and a misfire grace
time (a run more than that late is skipped and counted). Jobs run on a thread
pool with one thread per connector, so a slow CRM does not delay the other.

The listener turns scheduler events into metrics, readiness and log lines:
a finished cycle, a cycle that raised, a missed run, a skipped run.

Replicas: several daemons may share one PostgreSQL state store and the same
connectors. Every scheduled run tries its own connector's lock, so the
connectors spread over the replicas run by run; a run that finds the lock held
elsewhere (cycle status ``skipped``) is quiet: counted as
``syncd_runs_missed{reason="held_elsewhere"}``, logged at debug level, and left
out of readiness and the failure gauges. Once a replica has met another one, it
gives the others a head start (a quarter interval, at most ``MAX_YIELD_S``)
before each run of a connector it synced last time, so the work spreads instead
of going to whichever replica fires first; a lone daemon never waits.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobEvent,
)
from apscheduler.executors.pool import BasePoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.blocking import BlockingScheduler

from syncd.daemon.health import Health
from syncd.daemon.metrics import DaemonMetrics
from syncd.daemon.report import CycleResult
from syncd.daemon.schedules import Every, Schedule, trigger_for

log = logging.getLogger("syncd.daemon")

JOB_PREFIX = "sync:"
#: Pool threads beyond the configured connectors, for connectors added by a
#: config reload (more than that share threads until the next restart).
RELOAD_HEADROOM = 8
#: A cycle's status when another process (a replica) holds the connector's lock.
HELD_ELSEWHERE_STATUS = "skipped"


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One connector, when to run it, and how long one of its cycles may run before it
    counts as stalled (None: ``stall.DEFAULT_STALL_AFTER``)."""

    connector: str
    schedule: Schedule
    stall_after: timedelta | None = None


def _yield_seconds(schedule: Schedule) -> float:
    """How long a replica that won a connector's previous run waits before trying
    its lock again: a quarter of the interval, at most ``MAX_YIELD_S``."""
    if isinstance(schedule, Every):
        return min(schedule.every.total_seconds() / 4, MAX_YIELD_S)
    return MAX_YIELD_S


#: The longest head start a replica gives the others (see ``SyncScheduler._job``).
MAX_YIELD_S = 5.0


class _ThreadPool(BasePoolExecutor):  # type: ignore[misc]  # APScheduler is untyped
    """APScheduler's thread-pool executor, keeping the pool so shutdown can wait for it."""

    def __init__(self, workers: int) -> None:
        self.pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="syncd-job")
        super().__init__(self.pool)


#: Longest the main thread blocks in one wait. CPython runs signal handlers only
#: on the main thread, when it executes Python code; a SIGTERM the kernel hands to
#: a worker thread (one running a cycle) would otherwise wait for the main
#: thread's current wait to end: up to the next scheduled run, or the end of the
#: running cycle.
MAIN_THREAD_WAIT_S = 0.5


class _MainThreadScheduler(BlockingScheduler):  # type: ignore[misc]  # APScheduler is untyped
    """``BlockingScheduler`` whose main loop wakes at least every
    ``MAIN_THREAD_WAIT_S`` so signal handlers run promptly."""

    def _main_loop(self) -> None:
        wait_seconds: float = MAIN_THREAD_WAIT_S
        while self.state != STATE_STOPPED:
            self._event.wait(min(wait_seconds, MAIN_THREAD_WAIT_S))
            self._event.clear()
            next_wakeup = self._process_jobs()
            wait_seconds = MAIN_THREAD_WAIT_S if next_wakeup is None else next_wakeup


class SyncScheduler:
    """Builds the scheduler and its jobs; ``start()`` blocks until ``shutdown()``.

    ``run_job(connector)`` runs one cycle and returns its report, or None when
    it did not run (the daemon is stopping). ``on_started`` is called on the
    scheduler's thread once it runs (the daemon uses it to honour a stop that
    arrived before start-up finished).
    """

    def __init__(
        self,
        jobs: Sequence[JobSpec],
        run_job: Callable[[str], CycleResult | None],
        metrics: DaemonMetrics,
        health: Health,
        *,
        misfire_grace: timedelta,
        clock: Callable[[], datetime],
        on_started: Callable[[], None],
    ) -> None:
        self._metrics = metrics
        self._health = health
        self._on_started = on_started
        # threads start on demand; the headroom serves connectors a reload adds
        self._executor = _ThreadPool(len(jobs) + RELOAD_HEADROOM)
        self.scheduler = _MainThreadScheduler(
            timezone=UTC,
            executors={"default": self._executor},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": max(1, int(misfire_grace.total_seconds())),
            },
        )
        self._connectors: dict[str, str] = {}
        self._run_job = run_job
        self._clock = clock
        self._schedules: dict[str, Schedule] = {}
        self._stopping = threading.Event()
        self._yield_s: dict[str, float] = {}
        self._replicas = threading.Event()  # set once a lock was found held elsewhere
        self._won: set[str] = set()  # connectors this replica synced at their latest run
        for spec in jobs:
            self._add(spec)
        self.scheduler.add_listener(
            self._listen,
            EVENT_JOB_EXECUTED
            | EVENT_JOB_ERROR
            | EVENT_JOB_MISSED
            | EVENT_JOB_MAX_INSTANCES
            | EVENT_SCHEDULER_STARTED,
        )

    def job_ids(self) -> list[str]:
        return [job.id for job in self.scheduler.get_jobs()]

    def next_run(self, connector: str) -> datetime | None:
        job = self.scheduler.get_job(JOB_PREFIX + connector)
        when: datetime | None = getattr(job, "next_run_time", None) if job else None
        return when

    def _add(self, spec: JobSpec) -> None:
        job_id = JOB_PREFIX + spec.connector
        self._connectors[job_id] = spec.connector
        self._schedules[job_id] = spec.schedule
        self._yield_s[spec.connector] = _yield_seconds(spec.schedule)
        extra: dict[str, Any] = {}
        if isinstance(spec.schedule, Every):
            extra["next_run_time"] = self._clock()  # interval jobs run once at start
        self.scheduler.add_job(
            self._job,
            trigger_for(spec.schedule),
            args=[spec.connector],
            id=job_id,
            name=f"sync {spec.connector}",
            **extra,
        )

    def set_jobs(self, jobs: Sequence[JobSpec]) -> None:
        """Make the jobs match ``jobs`` (a config reload): add new connectors (an
        interval job runs at once), reschedule changed schedules, remove dropped
        connectors. A running cycle is never interrupted; its outcome is still
        recorded when it ends."""
        wanted = {JOB_PREFIX + spec.connector: spec for spec in jobs}
        for job_id in [j for j in self._schedules if j not in wanted]:
            with contextlib.suppress(JobLookupError):
                self.scheduler.remove_job(job_id)
            del self._schedules[job_id]
        for job_id, spec in wanted.items():
            if job_id not in self._schedules:
                self._add(spec)
            elif self._schedules[job_id] != spec.schedule:
                self._schedules[job_id] = spec.schedule
                self._yield_s[spec.connector] = _yield_seconds(spec.schedule)
                self.scheduler.reschedule_job(job_id, trigger=trigger_for(spec.schedule))

    def start(self) -> None:
        """Run jobs until ``shutdown()``; blocks the calling thread."""
        self.scheduler.start()

    def shutdown(self) -> None:
        """Stop scheduling new runs (running cycles carry on); safe to call twice."""
        self._stopping.set()
        with contextlib.suppress(SchedulerNotRunningError):
            self.scheduler.shutdown(wait=False)

    def _job(self, connector: str) -> CycleResult | None:
        """One scheduled run. With other replicas about, a replica that synced this
        connector at its previous run first gives the others a head start, so one
        replica does not win every race for the lock."""
        if (
            connector in self._won
            and self._replicas.is_set()
            and self._stopping.wait(self._yield_s[connector])
        ):
            return None
        return self._run_job(connector)

    def wait_for_running(self, give_up: Callable[[], bool] = lambda: False) -> bool:
        """Block until every running cycle (and its listener call) has finished,
        waking every ``MAIN_THREAD_WAIT_S`` so signal handlers still run; False when
        ``give_up()`` said to stop waiting first."""
        done = threading.Event()

        def drain() -> None:
            self._executor.pool.shutdown(wait=True)
            done.set()

        threading.Thread(target=drain, name="syncd-drain", daemon=True).start()
        while not done.wait(MAIN_THREAD_WAIT_S):
            if give_up():
                return False
        return True

    # -- the listener -----------------------------------------------------------
    def _listen(self, event: Any) -> None:
        if event.code == EVENT_SCHEDULER_STARTED:
            self._on_started()
            return
        assert isinstance(event, JobEvent)
        connector = self._connectors.get(event.job_id)
        if connector is None:
            return
        if event.code == EVENT_JOB_EXECUTED:
            self._finished(connector, event.retval)
        elif event.code == EVENT_JOB_ERROR:
            self._metrics.record_error(connector)
            self._health.cycle_finished(connector, "error", type(event.exception).__name__)
            log.error(
                "cycle raised %s: %s",
                type(event.exception).__name__,
                event.exception,
                extra={
                    "connector": connector,
                    "event": "cycle_error",
                    "traceback": event.traceback,
                },
            )
        elif event.code == EVENT_JOB_MISSED:
            self._metrics.record_missed(connector, "missed")
            log.warning(
                "run due at %s missed (later than the misfire grace time)",
                event.scheduled_run_time.isoformat(),
                extra={"connector": connector, "event": "run_missed"},
            )
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            self._metrics.record_missed(connector, "skipped")
            log.warning(
                "run skipped: the previous cycle is still running",
                extra={"connector": connector, "event": "run_skipped"},
            )

    def _finished(self, connector: str, report: CycleResult | None) -> None:
        if report is None:
            return
        if report.status == HELD_ELSEWHERE_STATUS:
            # another replica syncs it right now: expected with replicas > 1, not a failure
            self._replicas.set()
            self._won.discard(connector)
            self._metrics.record_missed(connector, "held_elsewhere")
            log.debug(
                "run skipped: the connector is held elsewhere",
                extra={"connector": connector, "event": "held_elsewhere"},
            )
            return
        self._won.add(connector)
        self._metrics.record_cycle(report)
        self._health.cycle_finished(connector, report.status, report.error)
        seconds = (report.finished_at - report.started_at).total_seconds()
        nxt = self.next_run(connector)
        extra = {
            "connector": connector,
            "run_id": report.run_id,
            "event": "job_done",
            "status": report.status,
            "kind": report.kind,
            "duration_s": round(seconds, 3),
            "next_run": nxt.isoformat() if nxt else None,
        }
        if report.status == "failed":
            log.warning("cycle failed: %s", report.error or "unknown error", extra=extra)
        else:  # the engine's own `cycle_finished` line already carries the counts
            log.debug("cycle %s in %.1fs", report.status, seconds, extra=extra)
