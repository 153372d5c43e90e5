"""`syncd score` at scale: wall time and peak memory (not part of the test run).

Writes N contacts (default 200,000; ~20 activities each, deterministic, the
generator of ``bench_scoring.py``) as JSONL once, then runs
``syncd score --format jsonl`` and ``--format table`` on it under
``/usr/bin/time -v`` and prints one JSON line per format:
{"format": ..., "contacts": ..., "seconds": ..., "peak_rss_mb": ...}

Usage: python bench/bench_score_cli.py [N] [--file PATH] [--pythonpath DIR]
``--pythonpath`` runs the ``syncd`` package found in DIR instead (e.g. an
older checkout unpacked with ``git archive``), to compare before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from bench_scoring import AS_OF, generate, to_json  # noqa: E402


def write_contacts(path: Path, n: int) -> None:
    """Write ``n`` bench contacts to ``path`` in chunks (bounded memory)."""
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, n, 10_000):
            for c in generate(min(10_000, n - start), seed=42 + start):
                row = to_json(c)
                row["id"] = f"c{start}-{row['id']}"
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


def run(fmt: str, path: Path, pythonpath: str | None) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one ``syncd score`` run."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    cmd = [
        "/usr/bin/time",
        "-v",
        sys.executable,
        "-m",
        "syncd",
        "score",
        "--model",
        str(ROOT / "syncd/models/default.yaml"),
        "--input",
        str(path),
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        fmt,
        "--output",
        os.devnull,
    ]
    proc = subprocess.run(
        cmd, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, check=False
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"syncd score failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    assert wall is not None and rss is not None, proc.stderr[-2000:]
    h, m, s = wall.groups()
    seconds = int(h or 0) * 3600 + int(m) * 60 + float(s)
    return seconds, int(rss.group(1)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=200_000)
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--pythonpath", default=None)
    parser.add_argument("--formats", default="jsonl,table")
    args = parser.parse_args()
    path = args.file or Path(tempfile.gettempdir()) / f"syncd-bench-{args.n}.jsonl"
    if not path.exists():
        write_contacts(path, args.n)
    size_mb = path.stat().st_size / 1e6
    for fmt in args.formats.split(","):
        seconds, rss = run(fmt, path, args.pythonpath)
        print(
            json.dumps(
                {
                    "format": fmt,
                    "contacts": args.n,
                    "input_mb": round(size_mb),
                    "seconds": round(seconds, 1),
                    "peak_rss_mb": round(rss),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
