"""The daemon around a fake cycle: scheduling, metrics, readiness, stopping."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobExecutionEvent,
)

from syncd.daemon import Cron, Daemon, DaemonOptions, Every, JobSpec
from tests.daemon.fakes import T0, FakeCycle, FakeReport
from tests.daemon.listen import Handled
from tests.kit.http import http_get

FAST = Every(timedelta(seconds=0.2))
OPTIONS = DaemonOptions(port=0)


def _get(url: str) -> tuple[int, str]:
    answer = http_get(url)
    return answer.status, answer.body


@contextmanager
def running(daemon: Daemon) -> Iterator[str]:
    """Run the daemon on a thread; on exit stop it and check it ended with 0."""
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(daemon.run(handle_signals=False)))
    thread.start()
    host, port = daemon.address
    try:
        yield f"http://{host}:{port}"
    finally:
        daemon.request_stop("test over")
        thread.join(timeout=10)
        assert not thread.is_alive(), "daemon did not stop"
    assert result == [0]


def _sample(body: str, prefix: str) -> float:
    for line in body.splitlines():
        if line.startswith(prefix + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{prefix} not in metrics")


def test_every_connector_runs_repeatedly_and_metrics_move() -> None:
    cycle = FakeCycle()
    daemon = Daemon([JobSpec("hs", FAST), JobSpec("sf", FAST)], cycle, options=OPTIONS)
    assert sorted(daemon.scheduler.job_ids()) == ["sync:hs", "sync:sf"]
    handled = Handled(daemon)
    with running(daemon) as url:
        assert handled.wait("hs", 3) and handled.wait("sf", 3)
        body = _get(url + "/metrics")[1]
        assert _sample(body, 'syncd_records_pulled_total{connector="hs"}') >= 20
        ok_cycles = 'syncd_cycles_total{connector="sf",kind="incremental",status="ok"}'
        assert _sample(body, ok_cycles) >= 2
        assert _get(url + "/healthz")[0] == 200
        assert _get(url + "/readyz")[0] == 200


def test_stop_reaches_the_running_cycle_and_no_new_run_starts() -> None:
    started = threading.Event()
    saw_stop: list[bool] = []

    def slow(name: str, stop: threading.Event, n: int) -> FakeReport:
        started.set()
        saw_stop.append(stop.wait(10))
        return FakeReport(name, status="stopped")

    cycle = FakeCycle(slow)
    daemon = Daemon([JobSpec("hs", FAST)], cycle, options=OPTIONS)
    with running(daemon):
        assert started.wait(5)
        begun = time.monotonic()
    assert time.monotonic() - begun < 3
    assert saw_stop == [True] and cycle.calls == {"hs": 1}
    assert daemon.health.last_status("hs") == "none"  # a stopped cycle is not a verdict


def test_a_failed_cycle_shows_but_leaves_it_ready(caplog: pytest.LogCaptureFixture) -> None:
    def flaky(name: str, stop: threading.Event, n: int) -> FakeReport:
        if name == "sf":
            raise RuntimeError("boom")
        return FakeReport(name, status="failed", error="401 Unauthorized")

    cycle = FakeCycle(flaky)
    daemon = Daemon([JobSpec("hs", FAST), JobSpec("sf", FAST)], cycle, options=OPTIONS)
    handled = Handled(daemon)
    with caplog.at_level(logging.INFO, logger="syncd.daemon"), running(daemon) as url:
        assert handled.wait("sf", 2) and handled.wait("hs", 2)
        status, body = _get(url + "/readyz")
        assert status == 200
        connectors = json.loads(body)["connectors"]
        assert connectors["hs"] == "last cycle failed: 401 Unauthorized"
        assert connectors["sf"] == "last cycle error: RuntimeError"
        metrics = _get(url + "/metrics")[1]
        assert _sample(metrics, 'syncd_job_errors_total{connector="sf"}') >= 1
        assert _sample(metrics, 'syncd_last_cycle_failed{connector="hs"}') == 1
    errors = [r for r in caplog.records if getattr(r, "event", None) == "cycle_error"]
    assert errors and errors[0].__dict__["connector"] == "sf" and "boom" in errors[0].getMessage()
    assert "RuntimeError" in errors[0].__dict__["traceback"] or "boom" in errors[0].getMessage()


def test_a_run_due_while_the_last_still_works_is_skipped_and_counted() -> None:
    skipped = threading.Event()

    def slow(name: str, stop: threading.Event, n: int) -> FakeReport:
        if n == 1:  # the first cycle works until a run due meanwhile was skipped
            skipped.wait(10)
        return FakeReport(name)

    cycle = FakeCycle(slow)
    daemon = Daemon([JobSpec("hs", FAST)], cycle, options=OPTIONS)
    # added after the daemon's own listener: called once that one counted the skip
    daemon.scheduler.scheduler.add_listener(lambda _: skipped.set(), EVENT_JOB_MAX_INSTANCES)
    with running(daemon) as url:
        assert cycle.wait_calls("hs", 2)
        assert skipped.is_set()
        body = _get(url + "/metrics")[1]
    assert _sample(body, 'syncd_runs_missed_total{connector="hs",reason="skipped"}') >= 1


def test_a_missed_run_is_logged_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    daemon = Daemon([JobSpec("hs", Cron("0 6 * * *"))], FakeCycle(), options=OPTIONS)
    try:
        with caplog.at_level(logging.WARNING, logger="syncd.daemon"):
            daemon.scheduler._listen(JobExecutionEvent(EVENT_JOB_MISSED, "sync:hs", "default", T0))
        body = daemon.metrics.exposition().decode()
        assert _sample(body, 'syncd_runs_missed_total{connector="hs",reason="missed"}') == 1
        [record] = caplog.records
        assert record.__dict__["event"] == "run_missed" and T0.isoformat() in record.getMessage()
    finally:
        daemon.http.stop()


def test_cron_jobs_wait_for_their_time_and_jobs_are_configured() -> None:
    cycle = FakeCycle()
    daemon = Daemon(
        [JobSpec("hs", Cron("0 6 * * *"))],
        cycle,
        options=DaemonOptions(port=0, misfire_grace=timedelta(minutes=2)),
    )
    started = threading.Event()
    daemon.scheduler.scheduler.add_listener(lambda _: started.set(), EVENT_SCHEDULER_STARTED)
    with running(daemon):
        assert started.wait(10)  # the jobs have their next run times once it started
        job = daemon.scheduler.scheduler.get_job("sync:hs")
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 120)
        nxt = daemon.scheduler.next_run("hs")
        # a cron job is not run at start (an interval job is): it waits for 06:00
        assert nxt is not None and (nxt.hour, nxt.minute) == (6, 0) and nxt > datetime.now(UTC)
    assert cycle.calls == {}


def test_duplicate_connectors_are_refused() -> None:
    with pytest.raises(ValueError, match="one job"):
        Daemon([JobSpec("hs", FAST), JobSpec("hs", FAST)], FakeCycle(), options=OPTIONS)


def _child(mode: str) -> subprocess.Popen[str]:
    root = Path(__file__).resolve().parents[2]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.daemon.signal_child", mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )


def _wait_for(child: subprocess.Popen[str], line: str) -> None:
    assert child.stdout is not None
    for got in child.stdout:
        if got.strip() == line:
            return
    raise AssertionError(f"child ended before {line!r}: {child.stderr and child.stderr.read()}")


def test_sigterm_stops_after_the_current_batch() -> None:
    child = _child("term")
    try:
        _wait_for(child, "cycle started")
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 0, err
    verdict = json.loads(out.strip().splitlines()[-1])
    assert verdict == {"status": 0, "calls": {"hs": 1}, "stopped": True, "restored": True}


def test_a_wedged_cycle_does_not_outlive_the_shutdown_grace() -> None:
    child = _child("grace")
    try:
        _wait_for(child, "cycle started")
        child.send_signal(signal.SIGTERM)
        _wait_for(child, "stopping")  # the cycle ignores the stop: a wedged connector
        started = time.monotonic()
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert time.monotonic() - started < 5  # the 1 s grace, not the 10 s batch
    assert out.strip() == ""  # Daemon.run never returned


def test_a_second_signal_exits_at_once() -> None:
    child = _child("twice")
    try:
        _wait_for(child, "cycle started")
        child.send_signal(signal.SIGINT)
        _wait_for(child, "stopping")  # the first signal set the stop event
        started = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert time.monotonic() - started < 5  # not after the 10 s batch
    assert out.strip() == ""  # Daemon.run never returned
