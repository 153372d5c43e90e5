"""bench/bench_sync.py at a tiny size, so the harness cannot rot: every run
completes, the summary line carries the issue's keys, nothing is written on
the no-change cycle and no 429 is received."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "calls_ratio",
    "time_ratio",
    "http_429",
    "peak_rss_mb_200",
    "incremental_calls_per_changed_contact",
    "nochange_write_calls",
    "rescore_contacts_per_s",
}


def test_bench_sync_runs_end_to_end_at_a_tiny_size() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_sync.py"),
            "--sizes",
            "200",
            "--latency-ms",
            "0",
            "--change",
            "0.05",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    assert set(summary) >= KEYS, summary
    runs = [line for line in lines[:-1] if not line.startswith("#")]
    assert runs and len(runs) % 6 == 0, done.stdout
    assert summary["failed_cycles"] == 0
    assert summary["http_429"] == 0
    assert summary["nochange_write_calls"] == 0
    assert summary["incremental_calls_per_changed_contact"] > 0
    assert summary["rescore_contacts_per_s"] > 0
