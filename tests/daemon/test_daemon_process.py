"""The daemon as a process (`syncd.cli.serve`) over the in-memory CRM: cycles,
endpoints, SIGTERM, JSON logs without secrets, refusal of a bad config."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from syncd.cli import main
from syncd.settings import ConnectorConfig
from syncd.state import Store
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.pipes import JsonLines
from tests.kit.seed import MODEL, ROOT, seed
from tests.sync.helpers import crm_matches_core

TOKEN = "tok-very-secret-4242"


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "syncd.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def _good_config(tmp_path: Path) -> Path:
    return _config(
        tmp_path,
        f"""\
state:
  url: "sqlite:///{tmp_path / "state.db"}"
daemon:
  port: 0
  log_format: json
connectors:
  mem:
    type: hubspot
    access_token: ${{MEM_TOKEN}}
    model: {MODEL}
    schedule: {{every: 1s}}
""",
    )


def _spawn(config: Path, crm: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "MEM_TOKEN": TOKEN}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.daemon.serve_memory", str(config), str(crm)],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _metrics(url: str) -> dict[str, float]:
    with urllib.request.urlopen(url + "/metrics", timeout=5) as answer:
        text = answer.read().decode()
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def _wait_ok_cycles(out: JsonLines, connector: str, n: int, timeout: float) -> bool:
    """True once the process logged ``n`` successful cycles of ``connector``."""

    def ok_cycles() -> int:
        return sum(
            r.get("event") == "cycle_finished"
            and r.get("connector") == connector
            and r.get("status") == "ok"
            for r in map(json.loads, list(out.lines))
        )

    with out.cond:
        return out.cond.wait_for(lambda: ok_cycles() >= n, timeout)


def test_daemon_process_runs_cycles_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    crm = MemoryCRM()
    seed(crm)
    crm_path = tmp_path / "crm.json"
    crm.save(crm_path)
    proc = _spawn(_good_config(tmp_path), crm_path)
    out = JsonLines(proc.stdout)
    try:
        started = out.wait_for("daemon_started", timeout=20)
        url = f"http://127.0.0.1:{started['http_port']}"
        ok = 'syncd_cycles_total{connector="mem",kind="incremental",status="ok"}'
        # a third cycle finished: the second one's metrics are in (recorded as it ended)
        assert _wait_ok_cycles(out, "mem", 3, timeout=30)
        m = _metrics(url)
        assert m[ok] >= 2
        assert m['syncd_records_pulled_total{connector="mem"}'] > 0
        assert m['syncd_records_written_total{connector="mem"}'] > 0
        assert m['syncd_api_calls_total{connector="mem",kind="read"}'] > 0
        for path in ("/healthz", "/readyz"):
            with urllib.request.urlopen(url + path, timeout=5) as answer:
                assert answer.status == 200
        # a second daemon on the same port is refused with exit 2 and says why
        busy = tmp_path / "busy.yaml"
        busy.write_text(
            (tmp_path / "syncd.yaml")
            .read_text()
            .replace("port: 0", f"port: {started['http_port']}"),
            encoding="utf-8",
        )
        second = _spawn(busy, crm_path)
        out2, err2 = second.communicate(timeout=30)
        assert second.returncode == 2, out2 + err2
        refusal = json.loads(out2.splitlines()[-1])
        assert refusal["event"] == "daemon_refused" and "cannot listen" in refusal["message"]
        begun = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - begun < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out.thread.join(timeout=5)
    assert proc.stderr is not None
    err = proc.stderr.read()
    records = [json.loads(line) for line in out.lines]  # every line is JSON
    events = [r.get("event") for r in records]
    assert "daemon_stopping" in events and events[-1] == "daemon_stopped"
    assert events.count("cycle_finished") >= 2
    assert TOKEN not in "".join(out.lines) + err
    for r in records:
        assert {"timestamp", "level", "logger", "message"} <= set(r)
    # state consistent: every run closed, CRM fields equal what the core computes
    store = Store.open(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        runs = store.last_runs("mem", limit=100)
        assert runs and all(r.finished_at is not None for r in runs)
        crm_matches_core(MemoryCRM.load(crm_path), store, runs[0].started_at)
    finally:
        store.close()


def _refused(config: Path) -> list[str]:
    """`syncd run` in-process on a config it must refuse: exit 1, errors on stderr."""

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        raise AssertionError("no connector may be built for an invalid config")

    result = CliRunner().invoke(main, ["run", "--config", str(config)], obj={"factory": factory})
    assert result.exit_code == 1 and result.stdout == ""
    return result.stderr.splitlines()


def test_a_config_without_connectors_is_refused(tmp_path: Path) -> None:
    config = _config(tmp_path, f"state:\n  url: sqlite:///{tmp_path / 'state.db'}\n")
    assert _refused(config) == ["no connectors configured: nothing to run"]


def test_invalid_config_is_refused_with_every_error(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        f"""\
state:
  url: "sqlite:///{tmp_path / "state.db"}"
daemon:
  port: 99999
  colour: blue
connectors:
  mem:
    type: hubspot
    access_token: ${{UNSET_TOKEN_VAR_FOR_SYNCD_TEST}}
    model: {MODEL}
    schedule: {{cron: "61 * * * *"}}
""",
    )
    assert _refused(config) == [
        f"{config}:9: connectors.mem.access_token: environment variable "
        "UNSET_TOKEN_VAR_FOR_SYNCD_TEST is not set",
        "config not usable (1 error(s))",
    ]
    _config(tmp_path, config.read_text().replace("${UNSET_TOKEN_VAR_FOR_SYNCD_TEST}", "x"))
    lines = _refused(config)
    assert f"{config}:4: daemon.port: must be at most 65535" in lines
    assert f"{config}:5: daemon.colour: unknown key" in lines
    assert any(
        line.startswith(f"{config}:11: connectors.mem.schedule.cron: invalid crontab")
        for line in lines
    ), lines
    assert lines[-1] == "config not usable (3 error(s))"


def test_a_broken_model_is_refused_like_validate(tmp_path: Path) -> None:
    model = tmp_path / "broken.yaml"
    model.write_text("tiers: [oops\n", encoding="utf-8")
    text = _good_config(tmp_path).read_text().replace(str(MODEL), str(model))
    config = _config(tmp_path, text.replace("${MEM_TOKEN}", "literal-token"))
    lines = _refused(config)
    assert lines[0].startswith(f"connector mem: {model}:")
    assert lines[-1].startswith("config not usable (")
