"""A run that finds its connector's lock held by another replica is quiet: counted
as held elsewhere, not a failure, no warning, readiness unchanged."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest

from syncd.daemon import Daemon, DaemonOptions, Every, JobSpec
from tests.daemon.fakes import FakeCycle, FakeReport


def test_held_elsewhere_is_counted_quietly(caplog: pytest.LogCaptureFixture) -> None:
    def sometimes_elsewhere(name: str, stop: threading.Event, n: int) -> FakeReport:
        if n % 2:
            return FakeReport(
                name,
                run_id=f"r{n}",
                status="skipped",
                error="held elsewhere: connector hs is being synced by another process",
            )
        return FakeReport(name, run_id=f"r{n}")

    cycle = FakeCycle(sometimes_elsewhere)
    daemon = Daemon(
        [JobSpec("hs", Every(timedelta(seconds=0.2)))], cycle, options=DaemonOptions(port=0)
    )
    thread = threading.Thread(target=daemon.run, kwargs={"handle_signals": False})
    with caplog.at_level(logging.DEBUG, logger="syncd.daemon"):
        thread.start()
        try:
            assert cycle.wait_calls("hs", 4)
        finally:
            daemon.request_stop("test over")
            thread.join(timeout=10)
    calls = cycle.calls["hs"]
    reg = daemon.metrics.registry
    held = reg.get_sample_value(
        "syncd_runs_missed_total", {"connector": "hs", "reason": "held_elsewhere"}
    )
    assert held == (calls + 1) // 2
    assert (
        reg.get_sample_value(
            "syncd_cycles_total", {"connector": "hs", "kind": "incremental", "status": "skipped"}
        )
        is None
    )
    assert reg.get_sample_value("syncd_last_cycle_failed", {"connector": "hs"}) == 0
    assert daemon.health.readiness().ready
    quiet = [r for r in caplog.records if getattr(r, "event", "") == "held_elsewhere"]
    assert quiet and all(r.levelno == logging.DEBUG for r in quiet)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
