"""bench/bench_salesforce_scale.py at a tiny size, so the harness cannot rot: both runs
complete, the full sync writes every person, the next cycle writes nothing and the
summary line carries its keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_salesforce_scale_runs_end_to_end_at_a_tiny_size() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_salesforce_scale.py"),
            "--sizes",
            "200",
            "--latency-ms",
            "0",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    assert summary["failed_cycles"] == 0 and summary["sizes"] == [200]
    assert {"calls_ratio", "peak_rss_mb", "full_sync_seconds"} <= set(summary)
    runs = [line for line in lines if line.startswith("N=200 ")]
    assert len(runs) == 2
    assert "200 written" in runs[0] and "0 written" in runs[1]
