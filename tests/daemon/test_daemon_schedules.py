"""Schedules: durations, interval and cron triggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from syncd.daemon.schedules import Cron, Every, format_duration, trigger_for


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (900, "15m"),
        (5400, "1h30m"),
        (93600, "1d2h"),
        (45, "45s"),
        (0.5, "0.5s"),
        (61, "1m1s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text
    assert Every(timedelta(seconds=seconds)).describe() == f"every {text}"


def test_every_is_an_interval_trigger() -> None:
    trigger = trigger_for(Every(timedelta(minutes=15)))
    assert isinstance(trigger, IntervalTrigger)
    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    first = trigger.get_next_fire_time(None, start)
    assert trigger.get_next_fire_time(first, first) - first == timedelta(minutes=15)


def test_cron_is_a_crontab_trigger_in_utc() -> None:
    trigger = trigger_for(Cron("*/10 * * * *"))
    assert isinstance(trigger, CronTrigger)
    now = datetime(2026, 12, 1, 12, 3, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, now) == datetime(2026, 12, 1, 12, 10, tzinfo=UTC)
    assert Cron("0 6 * * *").describe() == "cron '0 6 * * *' (UTC)"


@pytest.mark.parametrize("expr", ["* * * *", "61 * * * *", "* * * * * *", "every day"])
def test_bad_cron_is_refused(expr: str) -> None:
    with pytest.raises(ValueError):
        Cron(expr)


def test_non_positive_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        Every(timedelta(0))
