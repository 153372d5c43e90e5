"""A wedged connector: a cycle running past its limit makes /readyz name it, sets
``syncd_connector_stalled`` to 1 and logs it once; it clears when the cycle ends."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest

from syncd.daemon import Daemon, DaemonOptions, Every, JobSpec
from tests.daemon.fakes import FakeCycle, FakeReport
from tests.kit.http import http_get


class _Clock:
    """The daemon's clock: now at first (the scheduler runs on real time), then
    moved on by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    def advance(self, span: timedelta) -> None:
        with self.lock:
            self.now += span


def _stalled_value(metrics: str, connector: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(f'syncd_connector_stalled{{connector="{connector}"}}'):
            return float(line.split()[-1])
    raise AssertionError(f"no syncd_connector_stalled series for {connector}")


def test_a_stalled_connector_shows_in_readyz_metrics_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = _Clock()
    release = threading.Event()

    def wedged(name: str, stop: threading.Event, n: int) -> FakeReport:
        if name == "hs":
            release.wait(30)  # a connector stuck inside one call
        return FakeReport(name)

    cycle = FakeCycle(wedged)
    jobs = [
        JobSpec("hs", Every(timedelta(hours=1)), stall_after=timedelta(minutes=5)),
        JobSpec("sf", Every(timedelta(hours=1)), stall_after=timedelta(minutes=5)),
    ]
    daemon = Daemon(jobs, cycle, options=DaemonOptions(port=0), clock=clock)
    runner = threading.Thread(target=daemon.run, kwargs={"handle_signals": False})
    runner.start()
    try:
        assert cycle.wait_calls("hs", 1) and cycle.wait_calls("sf", 1)
        host, port = daemon.address
        url = f"http://{host}:{port}"
        assert http_get(url + "/readyz").status == 200
        assert _stalled_value(http_get(url + "/metrics").body, "hs") == 0

        clock.advance(timedelta(minutes=6))
        with caplog.at_level(logging.WARNING, logger="syncd.daemon"):
            ready = http_get(url + "/readyz")
            metrics = http_get(url + "/metrics").body
        assert ready.status == 503
        body = json.loads(ready.body)
        assert body["checks"]["connectors"] == "stalled: hs"
        assert body["connectors"]["hs"].startswith("stalled: its cycle has been running for 6m")
        assert body["connectors"]["sf"] == "ok"
        assert _stalled_value(metrics, "hs") == 1 and _stalled_value(metrics, "sf") == 0
        stalls = [r for r in caplog.records if getattr(r, "event", "") == "connector_stalled"]
        assert len(stalls) == 1 and getattr(stalls[0], "connector", "") == "hs"

        release.set()
        assert cycle.wait_calls("hs", 1)
        daemon.request_stop("test")
        runner.join(timeout=10)
        assert not runner.is_alive()
        assert daemon.stalls.stalled() == {}
    finally:
        release.set()
        daemon.request_stop("test")
        runner.join(timeout=10)
