"""A connector's schedule: the one type the config, the daemon and
``syncd status`` share.

``{every: 15m}`` is an ``Every`` (an APScheduler ``IntervalTrigger``: the
first run at start-up, then one per interval, counted from the last run);
``{cron: "*/15 * * * *"}`` is a ``Cron`` (``CronTrigger.from_crontab``, five
fields, evaluated in UTC). ``next_run`` is the one computation of when a
schedule fires next, from the same trigger the daemon runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, field_validator

from connectors.options import Duration

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

__all__ = ["Cron", "Every", "Schedule", "format_duration", "next_run", "trigger_for"]


class Every(BaseModel):
    """Run every ``every`` (first run at start-up). ``Every(timedelta(minutes=15))``
    or, from a config document, ``{every: 15m}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    every: Duration

    def __init__(self, every: Any = None, /, **data: Any) -> None:
        if every is not None:
            data["every"] = every
        super().__init__(**data)

    @field_validator("every")
    @classmethod
    def _positive(cls, v: timedelta) -> timedelta:
        if v <= timedelta(0):
            raise ValueError("the interval must be positive")
        return v

    def describe(self) -> str:
        return f"every {format_duration(self.every)}"


class Cron(BaseModel):
    """Run on a five-field crontab expression, in UTC: ``Cron("*/15 * * * *")`` or,
    from a config document, ``{cron: "*/15 * * * *"}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cron: str

    def __init__(self, cron: Any = None, /, **data: Any) -> None:
        if cron is not None:
            data["cron"] = cron
        super().__init__(**data)

    @field_validator("cron")
    @classmethod
    def _crontab(cls, v: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(v, timezone=UTC)
        except ValueError as exc:
            raise ValueError(f"invalid crontab expression: {exc}") from None
        return v

    def describe(self) -> str:
        return f"cron {self.cron!r} (UTC)"


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
    """The APScheduler trigger the daemon runs for ``schedule``."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if isinstance(schedule, Every):
        return IntervalTrigger(seconds=schedule.every.total_seconds(), timezone=UTC)
    trigger: BaseTrigger = CronTrigger.from_crontab(schedule.cron, timezone=UTC)
    return trigger


def next_run(schedule: Schedule, last: datetime | None, now: datetime) -> datetime:
    """When ``schedule``'s trigger fires next, as of ``now``: an interval
    counts from the last run (``last``; never run: now), a cron line from
    now; a time already past is now."""
    if isinstance(schedule, Every):
        if last is None:
            return now  # the daemon's first run is at start-up
        nxt: datetime | None = trigger_for(schedule).get_next_fire_time(last, now)
    else:
        nxt = trigger_for(schedule).get_next_fire_time(None, now)
    return now if nxt is None or nxt < now else nxt
