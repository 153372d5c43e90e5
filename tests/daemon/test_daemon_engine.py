"""The daemon driving the real engine (state store + cycle) over the in-memory CRM."""

from __future__ import annotations

import threading
import urllib.request
from datetime import timedelta
from pathlib import Path

from pydantic import TypeAdapter

from syncd.daemon.schedules import Cron, Every
from syncd.daemon.wiring import build_daemon, schedule_of
from syncd.settings import CronSchedule, EverySchedule, load_settings
from syncd.sync import utc_now
from tests.daemon.listen import Handled
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import crm_matches_core, make_engine, write_config


def _metric(url: str, prefix: str) -> float:
    with urllib.request.urlopen(url + "/metrics", timeout=5) as answer:
        for line in answer.read().decode().splitlines():
            if line.startswith(prefix + " "):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_schedules_from_config() -> None:
    every = TypeAdapter(EverySchedule).validate_python({"every": "15m"})
    assert schedule_of(every) == Every(timedelta(minutes=15))
    assert schedule_of(CronSchedule(cron="*/10 * * * *")) == Cron("*/10 * * * *")


def test_daemon_runs_engine_cycles_until_stopped(tmp_path: Path, state_url: str) -> None:
    """On SQLite and on PostgreSQL (the compose deployment's state store)."""
    config = write_config(
        tmp_path, state_url, extra="    schedule: {every: 1s}\ndaemon:\n  port: 0\n"
    )
    crm = MemoryCRM()
    seed(crm)
    engine, _ = make_engine(config, crm, clock=utc_now)
    settings = load_settings(config, {})
    daemon = build_daemon(settings, engine)
    handled = Handled(daemon)
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(daemon.run(handle_signals=False)))
    thread.start()
    host, port = daemon.address
    url = f"http://{host}:{port}"
    try:
        assert handled.wait("mem", 2, timeout=20)
        ok = 'syncd_cycles_total{connector="mem",kind="incremental",status="ok"}'
        assert _metric(url, ok) >= 2
        assert _metric(url, 'syncd_records_written_total{connector="mem"}') == len(crm.contacts)
        # the state store's counts, read after each cycle
        assert _metric(url, 'syncd_contact_scores_count{connector="mem"}') == len(crm.contacts)
        with urllib.request.urlopen(url + "/readyz", timeout=5) as answer:
            assert answer.status == 200
    finally:
        daemon.request_stop("test over")
        thread.join(timeout=15)
    assert result == [0]
    runs = engine.store.last_runs("mem", limit=10)
    assert len(runs) >= 2 and all(r.finished_at is not None for r in runs)
    crm_matches_core(crm, engine.store, runs[0].started_at)
    engine.close()
