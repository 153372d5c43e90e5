"""The daemon around the real engine: one job per configured connector, each
running ``syncd.sync.run_cycle``; readiness asks the state store."""

from __future__ import annotations

import threading
from collections.abc import Callable

from syncd.daemon.health import StateProbe
from syncd.daemon.metrics import state_reader
from syncd.daemon.report import CycleFn, CycleResult
from syncd.daemon.schedules import Cron, Every, Schedule
from syncd.daemon.service import Daemon, DaemonOptions, JobSpec, Reload
from syncd.daemon.stall import STALL_SLACK
from syncd.settings import CronSchedule, EverySchedule, Settings
from syncd.sync import Engine, run_cycle

__all__ = ["build_daemon", "job_specs", "schedule_of", "state_probe"]


def schedule_of(schedule: EverySchedule | CronSchedule) -> Schedule:
    """The daemon's schedule for a validated config schedule."""
    if isinstance(schedule, CronSchedule):
        return Cron(schedule.cron)
    return Every(schedule.every)


def job_specs(settings: Settings) -> list[JobSpec]:
    """One job per configured connector: its schedule, and its cycle budget plus the
    slack of one batch as the time after which a running cycle counts as stalled."""
    return [
        JobSpec(name, schedule_of(cfg.schedule), cfg.cycle_budget + STALL_SLACK)
        for name, cfg in settings.connectors.items()
    ]


def state_probe(engine: Engine) -> StateProbe:
    """A readiness probe that reads one row of the state store."""
    names = list(engine.settings.connectors)

    def probe() -> str | None:
        try:
            problem = engine.store.problem()  # SQLite file deleted, replaced, read-only
            if problem is not None:
                return problem
            engine.store.meta(names[0] if names else "")
        except Exception as exc:  # any failure means "not reachable"; say which
            first = (str(exc).splitlines() or [""])[0][:200]
            return f"state store not reachable: {type(exc).__name__}: {first}"
        return None

    return probe


def build_daemon(
    settings: Settings,
    engine: Engine,
    *,
    redact: Callable[[str], str] = str,
    cycle: CycleFn | None = None,
    reload: Reload | None = None,
) -> Daemon:
    """A daemon running every configured connector on its schedule against
    ``engine`` (or through ``cycle`` when given; ``reload`` enables SIGHUP);
    binds the endpoint (``OSError`` when the port is taken)."""

    def engine_cycle(connector: str, stop: threading.Event) -> CycleResult:
        return run_cycle(engine, connector, stop=stop)

    jobs = job_specs(settings)
    opts = settings.daemon
    options = DaemonOptions(
        host=opts.host,
        port=opts.port,
        misfire_grace=opts.misfire_grace,
        shutdown_grace=opts.shutdown_grace,
    )
    daemon = Daemon(
        jobs,
        cycle or engine_cycle,
        state_probe=state_probe(engine),
        options=options,
        redact=redact,
        reload=reload,
    )
    daemon.metrics.watch_state(state_reader(engine.store.engine))
    return daemon
