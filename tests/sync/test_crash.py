"""Crash safety and exclusion with real processes: SIGKILL at several points of
a cycle, then a restart ends in the correct state; two processes on one state
database never run one connector at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from syncd.state import Store
from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import ROOT, seed
from tests.sync.helpers import NAME, NOW, crm_matches_core, make_engine, write_config


def _run(config: Path, crm: Path, kill_at: str = "-", delay: float = 0.0) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.kit.run_once", str(config), str(crm), kill_at, str(delay)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


# on PostgreSQL one kill point suffices: the lock and store are shared code
@pytest.mark.parametrize(
    ("state_url", "kill_at"),
    [
        ("sqlite", "page:5"),
        ("sqlite", "write-before:1"),
        ("sqlite", "write-after:3"),
        ("postgresql", "write-after:3"),
    ],
    indirect=["state_url"],
)
def test_sigkill_then_restart_ends_correct(tmp_path: Path, state_url: str, kill_at: str) -> None:
    crm_path = tmp_path / "crm.json"
    crm = MemoryCRM()
    seed(crm)
    crm.save(crm_path)
    config = write_config(tmp_path, state_url)
    p = _run(config, crm_path, kill_at)
    _out, err = p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL, err
    crm = MemoryCRM.load(crm_path)
    # the restart: a new engine on the same state; the dead holder's lease is taken over
    app, _ = make_engine(config, crm)
    try:
        r = run_cycle(app, NAME)
        assert r.status == "ok", r.error
        assert run_cycle(app, NAME).written == 0
        crm_matches_core(crm, app.store, NOW)
    finally:
        app.close()


def test_two_processes_never_sync_one_connector_at_once(tmp_path: Path, state_url: str) -> None:
    crm_path = tmp_path / "crm.json"
    crm = MemoryCRM()
    seed(crm)
    crm.save(crm_path)
    config = write_config(tmp_path, state_url)
    Store.open(state_url).close()  # migrate once before the race
    a = _run(config, crm_path, delay=0.1)
    b = _run(config, crm_path, delay=0.1)
    outs = [json.loads(p.communicate(timeout=60)[0]) for p in (a, b)]
    statuses = sorted(o["status"] for o in outs)
    assert statuses == ["ok", "skipped"], outs
    failed = next(o for o in outs if o["status"] == "skipped")
    assert "another process" in failed["error"] and failed["api_calls"] == {}
