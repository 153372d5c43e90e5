"""Reloading the daemon's jobs (``request_reload``) around a fake cycle: a
running cycle is never interrupted, connectors come and go, a refused reload
changes nothing and says why."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import timedelta

from syncd.daemon import ConnectorGone, Daemon, DaemonOptions, Every, JobSpec, ReloadRefused
from tests.daemon.fakes import FakeCycle, FakeReport
from tests.daemon.test_daemon_service import FAST, running
from tests.kit.http import http_get

OPTIONS = DaemonOptions(port=0)


class _Config:
    """What the reload reads: the jobs, or the reason the config is refused."""

    def __init__(self, jobs: Sequence[JobSpec]) -> None:
        self.jobs = list(jobs)
        self.refusal: str | None = None
        self.active = {j.connector for j in jobs}

    def reload(self) -> list[JobSpec]:
        if self.refusal:
            raise ReloadRefused(self.refusal)
        self.active = {j.connector for j in self.jobs}
        return self.jobs


def _reload(daemon: Daemon) -> None:
    thread = daemon.request_reload()
    assert thread is not None
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_reload_keeps_the_running_cycle_and_follows_the_new_jobs() -> None:
    held = threading.Event()
    release = threading.Event()
    outcomes: list[tuple[str, int, bool]] = []
    config = _Config([JobSpec("hs", FAST), JobSpec("sf", FAST)])

    def behaviour(name: str, stop: threading.Event, n: int) -> FakeReport:
        if name not in config.active:
            raise ConnectorGone(name)
        if name == "hs" and n == 1:
            held.set()
            release.wait(10)
        outcomes.append((name, n, stop.is_set()))
        return FakeReport(name, run_id=f"{name}{n}")

    cycle = FakeCycle(behaviour)
    daemon = Daemon(config.jobs, cycle, options=OPTIONS, reload=config.reload)
    with running(daemon) as url:
        assert held.wait(10)
        config.jobs = [JobSpec("hs", Every(timedelta(hours=1))), JobSpec("new", FAST)]
        _reload(daemon)
        assert sorted(daemon.scheduler.job_ids()) == ["sync:hs", "sync:new"]
        assert cycle.wait_calls("new", 2)
        sf_calls = cycle.calls.get("sf", 0)
        release.set()  # the held cycle ends normally, after the reload
        assert cycle.wait_calls("new", 4)
        assert cycle.calls.get("sf", 0) <= sf_calls + 1  # at most one run was already due
        details = json.loads(http_get(url + "/healthz").body)
        assert details["reload"] == {"status": "ok"}
        assert sorted(details["connectors"]) == ["hs", "new"]
    assert ("hs", 1, False) in outcomes  # not stopped, not interrupted
    assert cycle.calls["hs"] == 1  # rescheduled to every hour: not run again yet


def test_a_refused_reload_changes_nothing_and_says_why() -> None:
    config = _Config([JobSpec("hs", FAST)])
    cycle = FakeCycle()
    daemon = Daemon(config.jobs, cycle, options=OPTIONS, reload=config.reload)
    with running(daemon) as url:
        assert cycle.wait_calls("hs", 1)
        config.jobs = []
        config.refusal = "1 error(s): syncd.yaml:3: daemon.colour: unknown key"
        _reload(daemon)
        assert daemon.scheduler.job_ids() == ["sync:hs"]
        calls = cycle.calls["hs"]
        assert cycle.wait_calls("hs", calls + 2)
        details = json.loads(http_get(url + "/healthz").body)
        assert details["reload"] == {"status": "refused", "reason": config.refusal}
        assert http_get(url + "/readyz").status == 200


def test_no_reload_without_a_reload_function_or_while_stopping() -> None:
    daemon = Daemon([JobSpec("hs", FAST)], FakeCycle(), options=OPTIONS)
    try:
        assert daemon.request_reload() is None
    finally:
        daemon.http.stop()
    config = _Config([JobSpec("hs", FAST)])
    stopping = Daemon(config.jobs, FakeCycle(), options=OPTIONS, reload=config.reload)
    try:
        stopping.stop.set()
        assert stopping.request_reload() is None
    finally:
        stopping.http.stop()
