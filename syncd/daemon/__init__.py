"""syncd as a long-running service.

One job each:

* ``schedules`` — ``{every: 15m}`` / ``{cron: "..."}`` into APScheduler triggers;
* ``scheduler`` — the BlockingScheduler, one job per connector, and the
  listener that logs job errors and missed runs and feeds the metrics;
* ``metrics`` — the Prometheus metrics, in their own registry;
* ``health`` — what ``/readyz`` (config, state) and ``/healthz`` (last cycle per
  connector, last reload) report;
* ``http`` — the ``/healthz``, ``/readyz`` and ``/metrics`` endpoint;
* ``logs`` — JSON (or, on a terminal, human) log lines with secrets masked;
* ``signals`` — SIGTERM/SIGINT: stop after the current batch, a second one at
  once; SIGHUP: reload the config between cycles;
* ``service`` — wires them together around an injected cycle function;
* ``wiring`` — that cycle function over the engine, from the settings;
* ``reload`` — SIGHUP: the config and models read again, the engine swapped
  for the cycles that start from then on;
* ``probe`` — ``python -m syncd.daemon.probe``: the container's health check,
  on the configured port.
"""

from syncd.daemon.report import CycleFn, CycleResult
from syncd.daemon.schedules import Cron, Every, Schedule
from syncd.daemon.service import ConnectorGone, Daemon, DaemonOptions, JobSpec, ReloadRefused

__all__ = [
    "ConnectorGone",
    "Cron",
    "CycleFn",
    "CycleResult",
    "Daemon",
    "DaemonOptions",
    "Every",
    "JobSpec",
    "ReloadRefused",
    "Schedule",
]
