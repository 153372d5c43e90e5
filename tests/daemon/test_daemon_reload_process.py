"""SIGHUP on a real `syncd run` process (over the in-memory CRM): a cycle held
half-way through its writes survives two reloads, an invalid config is refused
and the running one stays, and a changed model is used from the next cycle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from syncd.state import Store
from tests.kit.memory_crm import MemoryCRM
from tests.kit.pipes import JsonLines
from tests.kit.seed import MODEL, ROOT, seed
from tests.sync.helpers import crm_matches_core

SAAS = ROOT / "syncd" / "models" / "saas.yaml"


def _config(tmp_path: Path, model: Path, extra: str = "") -> str:
    return f"""\
state:
  url: "sqlite:///{tmp_path / "state.db"}"
daemon:
  port: 0
  log_format: json
connectors:
  mem:
    type: hubspot
    access_token: ${{MEM_TOKEN}}
    model: {model}
    schedule: {{every: 1s}}
{extra}"""


def _count(out: JsonLines, event: str) -> int:
    return sum(f'"event": "{event}"' in line for line in out.lines)


def test_sighup_reloads_a_changed_model_without_losing_the_running_cycle(tmp_path: Path) -> None:
    crm = MemoryCRM()
    seed(crm)
    crm_path = tmp_path / "crm.json"
    crm.save(crm_path)
    config = tmp_path / "syncd.yaml"
    config.write_text(_config(tmp_path, MODEL), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.daemon.reload_child", str(config), str(crm_path)],
        cwd=ROOT,
        env={**os.environ, "MEM_TOKEN": "tok-reload-4242"},
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    out = JsonLines(proc.stdout)
    try:
        out.wait_for("test_cycle_held", timeout=30)  # cycle 1 is half-way through

        config.write_text(_config(tmp_path, MODEL, "bogus: 1\n"), encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        refused = out.wait_for("reload_refused", timeout=20)
        assert "bogus: unknown key" in refused["reason"]

        config.write_text(_config(tmp_path, SAAS), encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        reloaded = out.wait_for("config_reloaded", timeout=20)
        assert reloaded["jobs"] == {"mem": "every 1s"}
        changed = out.wait_for("model_changed", timeout=5)
        assert changed["model_from"].startswith("default@")
        assert changed["model_to"].startswith("saas@")
        assert proc.poll() is None and _count(out, "cycle_finished") == 0

        proc.stdin.write("go on\n")  # release cycle 1
        proc.stdin.flush()
        with out.cond:
            assert out.cond.wait_for(lambda: _count(out, "cycle_finished") >= 2, 60)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out.thread.join(timeout=5)
    store = Store.open(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        runs = store.last_runs("mem", limit=100)
        held = runs[-1]  # the oldest: the cycle that ran through both reloads
        assert held.status == "ok" and held.finished_at is not None
        assert held.report["written"] == len(crm.contacts)
        assert all(r.finished_at is not None for r in runs)
        assert (store.meta("mem").model_ref or "").startswith("saas@")
        crm_matches_core(MemoryCRM.load(crm_path), store, runs[0].started_at, model=SAAS)
    finally:
        store.close()
