"""SkipClock: skipped waits move it ahead; a given start pins its time line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from syncd.cli.demo_fakes import SkipClock


def test_a_started_clock_begins_at_its_start_and_skips_sleeps() -> None:
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    clock = SkipClock(start)
    assert start <= clock.now() < start + timedelta(minutes=1)
    clock.sleep(3600)
    assert start + timedelta(hours=1) <= clock.now() < start + timedelta(hours=1, minutes=1)
    assert clock.skipped == 3600


def test_a_start_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SkipClock(datetime(2026, 3, 1))
