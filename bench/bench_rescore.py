"""Rescore-only benchmark of the engine and state store (not part of the test run).

What ``resync --rescore-only`` (a model change, the daily decay pass) costs
without any CRM: for each N (default 10,000 and 50,000 contacts, 4 contacts per
account, 8 activities each, seeded), a child process seeds a fresh SQLite
state store through ``Store.commit_page`` (as a pull would), a second child
runs one rescore-only cycle (every contact scored and written once, to a
connector that accepts every write without I/O) and then, one day later, the
measured rescore-only cycle (the daily decay pass: every contact scored, few
values change). Before the measured cycle the kernel's peak-RSS mark is reset.

Each size prints one line; the last line is JSON:
{"rescore_contacts_per_s_<N>", "cpu_contacts_per_s_<N>", "peak_rss_mb_<N>",
 "peak_rss_growth"}  (growth: largest N's peak RSS over the smallest's).

``--profile DIR`` also runs each measured cycle under cProfile and writes its
statistics to ``DIR/rescore_<N>.prof`` (read them with ``python -m pstats``);
the figures printed are then the profiled ones, not comparable with others.

Usage: python bench/bench_rescore.py [--sizes 10000,50000] [--activities 8] [--profile DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench_scoring import TITLES, TYPES, URLS  # noqa: E402  (the same vocabulary)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def pages(n: int, per: int, seed: int, size: int = 500) -> Any:
    """Pages of ``size`` generated contacts (4 per account) with their
    accounts and ``per`` activities each."""
    from connectors.base import AccountRecord, ActivityRecord, ContactRecord, Page

    rnd = random.Random(seed)
    for start in range(0, n, size):
        contacts, accounts, acts = [], {}, []
        for i in range(start, min(n, start + size)):
            acc = f"acc{i // 4}"
            accounts[acc] = AccountRecord(
                acc,
                {
                    "name": f"Company {i // 4}",
                    "domain": f"company{i // 4}.example",
                    "properties": {"industry": "Technology"},
                },
            )
            contacts.append(
                ContactRecord(
                    f"c{i:07d}",
                    "contact",
                    {
                        "email": f"user{i}@company{i // 4}.example",
                        "properties": {
                            "title": rnd.choice(TITLES),
                            "country": "DE",
                            "employees": rnd.choice([10, 80, 250, 1200]),
                        },
                        "created_at": _iso(NOW - timedelta(days=300)),
                    },
                    account_id=acc,
                )
            )
            for k in range(per):
                t = rnd.choice(TYPES)
                data: dict[str, Any] = {
                    "type": t,
                    "at": _iso(NOW - timedelta(seconds=int(rnd.random() * 200 * 86400))),
                }
                if t in ("page_view", "email_click"):
                    data["url"] = rnd.choice(URLS)
                acts.append(ActivityRecord(f"a{i}-{k}", f"c{i:07d}", data))
        yield Page(contacts=contacts, accounts=list(accounts.values()), activities=acts)


def _settings(tmp: Path, db: Path) -> Path:
    p = tmp / "syncd.yaml"
    p.write_text(
        f"""\
state:
  url: "sqlite:///{db}"
connectors:
  bench:
    type: hubspot
    access_token: "bench-token"
    model: default
    daily_rescore_at: "00:00"
""",
        encoding="utf-8",
    )
    return p


def _peak_kb() -> int:
    status = Path("/proc/self/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+)", status)
    return int(found.group(1)) if found else int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def child_seed(n: int, per: int, seed: int, db: Path) -> None:
    from syncd.state import Store

    store = Store.open(f"sqlite:///{db}")
    for page in pages(n, per, seed):
        store.commit_page("bench", page, NOW)
    store.close()


def child_rescore(db: Path, profile: Path | None = None) -> None:
    from connectors.base import (
        Connector,
        FieldsReport,
        Usage,
        WriteOutcome,
    )
    from syncd.settings import load_settings
    from syncd.sync import Engine, run_cycle

    class Accepting(Connector):
        """Accepts every write, reads nothing."""

        name = "bench"

        def check(self) -> list[Any]:
            return []

        def ensure_fields(self, create: bool, tiers: Sequence[str] = ()) -> FieldsReport:
            return FieldsReport()

        def changes(
            self,
            cursor: Any,
            run_start: datetime,
            *,
            full: bool = False,
            since: datetime | None = None,
        ) -> Any:
            return iter(())

        def write(self, updates: Any, *, before_batch: Any = None) -> Any:
            stream = iter(updates)
            while batch := list(itertools.islice(stream, 200)):  # a CRM batch
                if before_batch is not None:
                    before_batch()
                yield [WriteOutcome(u.id, "ok") for u in batch]

        def usage(self) -> Usage:
            return Usage()

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(_settings(Path(tmp), db), {})
    clock = [NOW + timedelta(hours=1)]
    engine = Engine.open(settings, lambda _n, _c: Accepting(), clock=lambda: clock[0])
    first = run_cycle(engine, "bench", rescore_only=True)
    clock[0] += timedelta(days=1)
    Path("/proc/self/clear_refs").write_text("5")
    profiler = cProfile.Profile() if profile is not None else None
    t0, c0 = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    report = run_cycle(engine, "bench", rescore_only=True)
    if profiler is not None:
        profiler.disable()
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    if profiler is not None and profile is not None:
        profiler.dump_stats(profile)
    engine.close()
    print(
        json.dumps(
            {
                "scored": report.scored,
                "written": report.written,
                "first_written": first.written,
                "status": report.status,
                "seconds": secs,
                "cpu_s": cpu,
                "peak_kb": _peak_kb(),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,50000")
    ap.add_argument("--activities", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", type=Path, help="directory for the cProfile statistics")
    ap.add_argument("--child", nargs="*")
    a = ap.parse_args()
    if a.child:
        if a.child[0] == "seed":
            child_seed(int(a.child[1]), a.activities, a.seed, Path(a.child[2]))
        else:
            child_rescore(Path(a.child[1]), Path(a.child[2]) if len(a.child) > 2 else None)
        return
    out: dict[str, float] = {}
    peaks: list[float] = []
    for n in [int(s) for s in a.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "state.db"
            me = [
                sys.executable,
                __file__,
                "--activities",
                str(a.activities),
                "--seed",
                str(a.seed),
                "--child",
            ]
            subprocess.run([*me, "seed", str(n), str(db)], check=True)
            prof = [] if a.profile is None else [str(a.profile.resolve() / f"rescore_{n}.prof")]
            done = subprocess.run(
                [*me, "rescore", str(db), *prof], check=True, capture_output=True, text=True
            )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        rate, cpu_rate = r["scored"] / r["seconds"], r["scored"] / r["cpu_s"]
        mb = r["peak_kb"] / 1024
        peaks.append(mb)
        print(
            f"rescore-only N={n}: {r['scored']} scored, {r['written']} written in "
            f"{r['seconds']:.2f} s ({r['cpu_s']:.2f} s CPU): {rate:,.0f} contacts/s "
            f"({cpu_rate:,.0f}/s by CPU), peak RSS {mb:.1f} MB, status {r['status']}"
        )
        out[f"rescore_contacts_per_s_{n}"] = round(rate)
        out[f"cpu_contacts_per_s_{n}"] = round(cpu_rate)
        out[f"peak_rss_mb_{n}"] = round(mb, 1)
    out["peak_rss_growth"] = round(peaks[-1] / peaks[0], 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
