"""Two daemons (replicas) on one PostgreSQL share four connectors: no connector is
ever synced by both at once, both do work, a run that finds its connector held
elsewhere is quiet, and a dead replica's connector is taken over at once."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from connectors.base import Page
from syncd.daemon.service import Daemon, DaemonOptions, JobSpec
from syncd.daemon.wiring import schedule_of
from syncd.settings import ConnectorConfig, load_settings
from syncd.state import Store
from syncd.state.lock import _pg_key
from syncd.sync import CycleReport, Engine, run_cycle, utc_now
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import MODEL, seed

NAMES = ("c0", "c1", "c2", "c3")


class _Tracked(MemoryConnector):
    """Tells ``watch`` when a cycle starts using it (its pull) and when that cycle
    ended (``done``): connectors live as long as their engine, so building and
    closing them says nothing about cycles."""

    def __init__(self, name: str, crm: MemoryCRM, watch: Watch) -> None:
        super().__init__(name, crm)
        self.watch = watch
        self.busy = False

    def changes(self, *args: Any, **kwargs: Any) -> Iterator[Page]:
        self.watch.opened(self.name)
        self.busy = True
        return super().changes(*args, **kwargs)

    def done(self) -> None:
        if self.busy:
            self.busy = False
            self.watch.closed(self.name)


class Watch:
    """How many replicas work on each connector at once, and every cycle's outcome."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.active: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.outcomes: dict[str, list[tuple[str, str]]] = defaultdict(list)

    def opened(self, name: str) -> None:
        with self.cond:
            self.active[name] += 1
            self.most[name] = max(self.most[name], self.active[name])

    def closed(self, name: str) -> None:
        with self.cond:
            self.active[name] -= 1

    def finished(self, replica: str, report: CycleReport) -> None:
        with self.cond:
            self.outcomes[report.connector].append((replica, report.status))
            self.cond.notify_all()

    def ok(self, name: str) -> int:
        return sum(1 for _r, s in self.outcomes[name] if s == "ok")

    def wait(self, names: Sequence[str], n: int, timeout: float = 30) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: all(self.ok(x) >= n for x in names), timeout)


def _config(tmp_path: Path, url: str) -> Path:
    p = tmp_path / "syncd.yaml"
    blocks = "".join(
        f"""\
  {name}:
    type: hubspot
    access_token: tok-{name}-secret
    model: {MODEL}
    daily_rescore_at: "03:00"
    schedule: {{every: 1s}}
"""
        for name in NAMES
    )
    p.write_text(f'state:\n  url: "{url}"\nconnectors:\n{blocks}', encoding="utf-8")
    return p


def _replica(
    replica: str, config: Path, crms: dict[str, MemoryCRM], watch: Watch
) -> tuple[Daemon, Engine]:
    settings = load_settings(config, {})

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return _Tracked(name, crms[name], watch)

    engine = Engine(
        settings,
        Store.open(settings.state.url, settings.state.lock_lease),
        factory,
        clock=utc_now,
        owner=f"{replica}:1",
    )

    def cycle(name: str, stop: threading.Event) -> CycleReport:
        report = run_cycle(engine, name, stop=stop)
        conn = engine.connector(name)
        assert isinstance(conn, _Tracked)
        conn.done()
        watch.finished(replica, report)
        return report

    jobs = [JobSpec(n, schedule_of(c.schedule)) for n, c in settings.connectors.items()]
    return Daemon(jobs, cycle, options=DaemonOptions(port=0)), engine


def _held_elsewhere(daemon: Daemon, name: str) -> float:
    value = daemon.metrics.registry.get_sample_value(
        "syncd_runs_missed_total", {"connector": name, "reason": "held_elsewhere"}
    )
    return value or 0.0


def _kill_holder_of(store: Store, connector: str) -> None:
    """Terminate the session holding ``connector``'s advisory lock (the process died)."""
    key = _pg_key(connector) & 0xFFFFFFFFFFFFFFFF
    with store.engine.connect() as conn:
        [pid] = (
            conn.execute(
                sa.text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND classid = :hi AND objid = :lo"
                ),
                {"hi": key >> 32, "lo": key & 0xFFFFFFFF},
            )
            .scalars()
            .all()
        )
    url = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))


@pytest.mark.parametrize("state_url", ["postgresql"], indirect=True)
def test_two_replicas_share_connectors_without_overlap_and_take_over(
    tmp_path: Path, state_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="syncd")
    config = _config(tmp_path, state_url)
    crms = {name: MemoryCRM() for name in NAMES}
    for crm in crms.values():
        seed(crm)
    Store.open(state_url).close()  # migrated once, before the replicas race
    dead = Store.open(state_url)
    held = dead.lock("c0", "dead-replica:1", utc_now)  # a replica that will die holding c0
    held.__enter__()
    watch = Watch()
    replicas = [_replica(r, config, crms, watch) for r in ("a", "b")]
    threads = [
        threading.Thread(target=d.run, kwargs={"handle_signals": False}) for d, _ in replicas
    ]
    for t in threads:
        t.start()
    try:
        assert watch.wait(NAMES[1:], 2)
        assert watch.ok("c0") == 0  # held by the (still living) replica
        assert any(_held_elsewhere(d, "c0") >= 1 for d, _ in replicas)
        assert all(d.health.readiness().ready for d, _ in replicas)  # skipping is no failure

        killed = time.monotonic()
        _kill_holder_of(dead, "c0")
        assert watch.wait(["c0"], 1)
        takeover_s = time.monotonic() - killed
    finally:
        for d, _ in replicas:
            d.request_stop("test over")
        for t in threads:
            t.join(timeout=30)
        held.__exit__(None, None, None)
        dead.close()
    lease = load_settings(config, {}).state.lock_lease
    assert takeover_s < lease.total_seconds()
    assert max(watch.most.values()) == 1  # never two replicas on one connector
    by_replica = Counter(r for runs in watch.outcomes.values() for r, s in runs if s == "ok")
    assert by_replica["a"] >= 1 and by_replica["b"] >= 1, dict(watch.outcomes)  # spread
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING and "held" in r.getMessage()]
    assert noisy == []
    engine = replicas[0][1]
    for name in NAMES:  # both replicas left every connector consistent
        finish = run_cycle(engine, name)  # writes what a cycle stopped by the test left
        assert finish.status == "ok" and finish.pending == 0, name
        again = run_cycle(engine, name)
        assert again.status == "ok" and again.written == 0, name
    for _d, e in replicas:
        e.close()
