"""`syncd run` as a service: a subprocess against both sandbox CRMs with a
one-second schedule. Cycles run, the endpoints answer and move, SIGTERM ends
it cleanly, the logs are JSON lines without a secret, and the state it leaves
is consistent (a following `syncd run --once` finds nothing to write)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syncd.cli.sandbox import build_app
from syncd.cli.wiring import build_connector
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.server import SandboxServer
from syncd.settings import load_settings
from syncd.state import Store
from tests.kit.http import http_get
from tests.kit.pipes import JsonLines

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "syncd" / "models" / "default.yaml"
SECRETS = {
    "HS_TOKEN": "hs-token-Zq81-secret",
    "SF_PASSWORD": "sf-pass-Xk29-secret",
    "SF_SECRET": "sf-consumer-Wm55-secret",
}
HS, SF = "hubspot-main", "salesforce-prod"


@pytest.fixture()
def config(tmp_path: Path) -> Iterator[Path]:
    """Both sandboxes (data generated as of an hour ago), syncd's Salesforce fields
    set up, and a config that runs both connectors every second."""
    then = datetime.now(UTC) - timedelta(hours=1)
    with ExitStack() as stack:
        urls = {}
        for crm in ("hubspot", "salesforce"):
            app, _ = build_app(
                crm,
                seed=5,
                contacts=120,
                tier="pro",
                token=SECRETS["HS_TOKEN"],
                faults=FaultSpec(),
                now=then,
            )
            urls[crm] = stack.enter_context(SandboxServer(app)).url
        path = tmp_path / "syncd.yaml"
        path.write_text(
            f"""\
state:
  url: sqlite:///{tmp_path / "state.db"}
daemon:
  port: 0
  log_format: json
connectors:
  {HS}:
    type: hubspot
    base_url: {urls["hubspot"]}
    access_token: ${{HS_TOKEN}}
    tier: pro
    safety_lag: 0
    model: {MODEL}
    schedule: {{every: 1s}}
  {SF}:
    type: salesforce
    instance_url: {urls["salesforce"]}
    login_url: {urls["salesforce"]}
    auth:
      flow: password
      username: integration@syncd.example
      password: ${{SF_PASSWORD}}
      consumer_key: syncd-test
      consumer_secret: ${{SF_SECRET}}
    model: {MODEL}
    schedule: {{every: 1s}}
""",
            encoding="utf-8",
        )
        settings = load_settings(path, SECRETS)
        conn = build_connector(SF, settings.connectors[SF])
        assert conn.ensure_fields(create=True).ok  # what `syncd setup` does
        conn.close()
        yield path


def _syncd(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "syncd", *args],
        cwd=ROOT,
        env={**os.environ, **SECRETS},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _get(url: str) -> tuple[int, str]:
    answer = http_get(url)
    return answer.status, answer.body


def _metrics(url: str) -> dict[str, float]:
    text = _get(url + "/metrics")[1]
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def _ok_cycles(m: dict[str, float], name: str) -> float:
    return sum(
        v
        for k, v in m.items()
        if k.startswith(f'syncd_cycles_total{{connector="{name}"') and 'status="ok"' in k
    )


def _logged_ok_cycles(out: JsonLines, names: tuple[str, ...], n: int, timeout: float) -> bool:
    """True once the process logged ``n`` successful cycles of each of ``names``."""

    def enough() -> bool:
        done = [json.loads(line) for line in list(out.lines)]
        return all(
            sum(
                r.get("event") == "cycle_finished"
                and r.get("connector") == name
                and r.get("status") == "ok"
                for r in done
            )
            >= n
            for name in names
        )

    with out.cond:
        return out.cond.wait_for(enough, timeout)


def test_syncd_run_serves_both_crms_until_sigterm(config: Path) -> None:
    proc = _syncd("run", "--config", str(config))
    out = JsonLines(proc.stdout)
    try:
        started = out.wait_for("daemon_started", timeout=30)
        url = f"http://127.0.0.1:{started['http_port']}"
        assert started["jobs"] == {HS: "every 1s", SF: "every 1s"}
        assert _get(url + "/healthz")[0] == 200
        # a third cycle finished: the second one's metrics are in (recorded as it ended)
        assert _logged_ok_cycles(out, (HS, SF), 3, timeout=90)
        m = _metrics(url)
        for name in (HS, SF):
            assert _ok_cycles(m, name) >= 2, (name, m)
            assert m[f'syncd_records_pulled_total{{connector="{name}"}}'] > 0
            assert m[f'syncd_records_scored_total{{connector="{name}"}}'] > 0
            assert m[f'syncd_records_written_total{{connector="{name}"}}'] > 0
            unchanged = m[f'syncd_writes_skipped_unchanged_total{{connector="{name}"}}']
            assert unchanged <= m[f'syncd_records_scored_total{{connector="{name}"}}']
            assert (
                sum(
                    v
                    for k, v in m.items()
                    if k.startswith(f'syncd_api_calls_total{{connector="{name}"')
                )
                > 0
            )
            assert m[f'syncd_last_success_timestamp_seconds{{connector="{name}"}}'] > 0
            assert m[f'syncd_cycle_duration_seconds_count{{connector="{name}"}}'] >= 2
            assert m[f'syncd_last_cycle_failed{{connector="{name}"}}'] == 0
        status, body = _get(url + "/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"] == {"config": "ok", "state": "ok"}
        assert json.loads(body)["connectors"] == {HS: "ok", SF: "ok"}
        begun = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert time.monotonic() - begun < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out.thread.join(timeout=5)
    assert proc.stderr is not None
    err = proc.stderr.read()
    logged = "".join(out.lines) + err
    for secret in SECRETS.values():
        assert secret not in logged
    records = [json.loads(line) for line in out.lines]  # every stdout line is JSON
    assert all({"timestamp", "level", "logger", "message"} <= set(r) for r in records)
    events = [r.get("event") for r in records]
    assert "daemon_stopping" in events and events[-1] == "daemon_stopped"
    assert {r["connector"] for r in records if r.get("event") == "cycle_finished"} == {HS, SF}

    # Consistent state: every run closed; one more cycle leaves nothing pending.
    state = f"sqlite:///{config.parent / 'state.db'}"
    store = Store.open(state)
    try:
        for name in (HS, SF):
            runs = store.last_runs(name, limit=1000)
            assert len(runs) >= 2 and all(r.finished_at is not None for r in runs)
    finally:
        store.close()
    once = _syncd("run", "--once", "--config", str(config))
    stdout, stderr = once.communicate(timeout=60)
    assert once.returncode == 0, stdout + stderr
    store = Store.open(state)
    try:
        for name in (HS, SF):
            counts = store.counts(name)
            assert (counts.pending, counts.dead) == (0, 0), (name, counts)
    finally:
        store.close()
