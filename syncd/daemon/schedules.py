"""Connector schedules and the APScheduler triggers they become.

``{every: 15m}`` is an ``Every`` (an ``IntervalTrigger``; the first run is at
start-up, then one per interval); ``{cron: "*/15 * * * *"}`` is a ``Cron``
(``CronTrigger.from_crontab``, five fields, evaluated in UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger


@dataclass(frozen=True, slots=True)
class Every:
    """Run every ``interval`` (first run at start-up)."""

    interval: timedelta

    def __post_init__(self) -> None:
        if self.interval <= timedelta(0):
            raise ValueError("the interval must be positive")

    def describe(self) -> str:
        return f"every {format_duration(self.interval)}"


@dataclass(frozen=True, slots=True)
class Cron:
    """Run on a five-field crontab expression, in UTC."""

    expr: str

    def __post_init__(self) -> None:
        trigger_for(self)  # raises ValueError for a bad expression

    def describe(self) -> str:
        return f"cron {self.expr!r} (UTC)"


Schedule = Every | Cron


def format_duration(value: timedelta) -> str:
    """The shortest ``1h30m``-style spelling of ``value`` (seconds may be fractional)."""
    seconds = value.total_seconds()
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        whole = int(seconds // size)
        if whole:
            parts.append(f"{whole}{unit}")
            seconds -= whole * size
    if seconds or not parts:
        parts.append(f"{seconds:g}s")
    return "".join(parts)


def trigger_for(schedule: Schedule) -> BaseTrigger:
    """The APScheduler trigger for one schedule; ``ValueError`` for a bad cron line."""
    if isinstance(schedule, Every):
        return IntervalTrigger(seconds=schedule.interval.total_seconds(), timezone=UTC)
    trigger: BaseTrigger = CronTrigger.from_crontab(schedule.expr, timezone=UTC)
    return trigger
