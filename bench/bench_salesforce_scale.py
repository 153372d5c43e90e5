"""Salesforce at scale: a full sync of a large org against the call floor (not part of
the test run).

The fake org (in a process of its own, ``--serve``) holds N people, half Leads and half
Contacts, plus one Account per ten Contacts, all stamped within a few seconds (the
fake's clock), and no activities: the run measures what the Leads and Contacts cost
at scale, the Bulk API 2.0 reads (above ``bulk_read_threshold``, 10,000 rows) and the
Bulk API 2.0 writes (above ``bulk_write_threshold``). The engine runs as ``syncd run``
builds it (bench/sync_engine.py, its own process, its own peak RSS), on SQLite:

  (1)  a full sync from empty state: every record read, scored and written;
  (1b) the next cycle, which re-reads the records the full sync's own writes touched
       and writes nothing.

For each size it prints one line per run: calls by kind against the floor, wall time
against the latency floor (floor calls x ``--latency-ms``, one after another), people
per second, the engine's peak RSS and the Bulk jobs the fake saw. The last line is
JSON: {"sizes", "calls_ratio", "peak_rss_mb", "peak_rss_growth", ...}.

The floor of a run (``sync_minimum.salesforce``, shared with bench_sync.py): per object
read, one REST query page per 2,000 rows up to ``bulk_read_threshold``, else one Bulk
API 2.0 query (3 calls); the writes split at the least cost between Bulk ingest jobs (6
calls per job, a job's CSV may hold 150 MB) and sObject Collections (200 records of any
objects a call); one login on the first run.

This is the API's floor, not syncd's design. Two choices of the connector cost calls
above it, both to keep the engine's memory flat in the org's size: it reads Bulk query
results in pages of ``bulk_page_records`` (2,000, a REST page: one engine page each), and
closes a Bulk ingest job at 10,000 records (the updates it holds until a job answers),
at 6 calls per 10,000 records (bench/README.md has the job-size trade-off).

Usage: python bench/bench_salesforce_scale.py [--sizes 20000,200000] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import sync_minimum as M  # noqa: E402
from bench_sync import Child  # noqa: E402  (the JSON-lines child process of both benches)

TITLES = ("CEO", "VP Engineering", "Engineering Manager", "Director of IT", "Analyst", "Intern")
INDUSTRIES = ("Technology", "Retail", "Finance", "Healthcare")
COUNTRIES = ("US", "UK", "CA", "DE", "FR")
HOUR = 3600.0


# ------------------------------------------------------------------ the fake org (child)


class _Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def _seed(app: Any, people: int, seed: int) -> None:
    rnd = random.Random(seed)
    store = app.store
    contacts = people // 2
    accounts = [
        store.insert(
            "Account",
            {
                "Name": f"Account {i}",
                "Website": f"https://account{i}.example",
                "Industry": rnd.choice(INDUSTRIES),
                "NumberOfEmployees": rnd.randrange(5, 5000),
            },
        )
        for i in range(max(1, contacts // 10))
    ]
    for i in range(people - contacts):
        store.insert(
            "Lead",
            {
                "LastName": f"Lead {i}",
                "Company": f"Company {i % 997}",
                "Email": f"lead{i}@company{i % 997}.example",
                "Title": rnd.choice(TITLES),
                "Industry": rnd.choice(INDUSTRIES),
                "NumberOfEmployees": rnd.randrange(5, 5000),
                "Country": rnd.choice(COUNTRIES),
            },
        )
    for i in range(contacts):
        store.insert(
            "Contact",
            {
                "LastName": f"Contact {i}",
                "Email": f"contact{i}@account{i // 10}.example",
                "AccountId": accounts[min(i // 10, len(accounts) - 1)],
                "Title": rnd.choice(TITLES),
                "MailingCountry": rnd.choice(COUNTRIES),
            },
        )


def serve(people: int, seed: int, latency_ms: float) -> int:
    from syncd.sandbox.faults import FaultSpec
    from syncd.sandbox.salesforce import SalesforceSandbox
    from syncd.sandbox.server import SandboxServer

    clock = _Clock()
    app = SalesforceSandbox(
        faults=FaultSpec(latency_ms=latency_ms), clock=clock, daily_api_limit=10_000_000
    )
    _seed(app, people, seed)

    def counts() -> dict[str, int]:
        with app.lock:
            return {name: len(app.store.table(name)) for name in M.SF_OBJECTS}

    def say(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    with SandboxServer(app) as server:
        say({"url": server.url, "objects": counts(), "clock": clock()})
        for line in sys.stdin:
            cmd = json.loads(line)
            op = cmd.get("op")
            if op == "advance":
                clock.offset += float(cmd["seconds"])
                say({"clock": clock()})
            elif op == "stats":
                requests = app.log.requests()
                say(
                    {
                        "by_endpoint": dict(Counter(f"{r.method} {r.template}" for r in requests)),
                        "by_status": dict(Counter(str(r.status) for r in requests)),
                        "objects": counts(),
                    }
                )
            elif op == "reset":
                app.log.reset()
                say({"reset": True})
            elif op == "quit":
                say({"bye": True})
                break
            else:
                say({"error": f"unknown op {op!r}"})
    return 0


# ------------------------------------------------------------------ the bench (parent)


def kind_of(endpoint: str) -> str:
    """auth / read / write / meta for one "METHOD /template" of the fake's log."""
    _, _, path = endpoint.partition(" ")
    if path.startswith("/services/oauth2/"):
        return "auth"
    if "/jobs/query" in path or path.endswith(("/query", "/queryAll")) or "/query/" in path:
        return "read"
    if "/queryAll/" in path:
        return "read"
    if "/jobs/ingest" in path or "/composite/sobjects" in path:
        return "write"
    return "meta"


def run_size(people: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    py = sys.executable
    me = str(Path(__file__).resolve())
    fake = Child([py, me, "--serve", str(people), "--latency-ms", str(args.latency_ms)], "fake")
    engine: Child | None = None
    out: list[dict[str, Any]] = []
    try:
        hello = fake.read()
        objects = hello["objects"]
        shown = ", ".join(f"{v:,} {k}" for k, v in objects.items() if v)
        print(f"# N={people:,}: fake on {hello['url']} with {shown}", flush=True)
        with tempfile.TemporaryDirectory(prefix="syncd-sfscale-") as tmp:
            t = time.gmtime(float(hello["clock"]) - HOUR)
            engine = Child(
                [
                    py,
                    str(HERE / "sync_engine.py"),
                    "--crm",
                    "salesforce",
                    "--url",
                    hello["url"],
                    "--dir",
                    tmp,
                    "--daily-rescore-at",
                    f"{t.tm_hour:02d}:{t.tm_min:02d}",
                ],
                "engine",
            )
            engine.read()
            if not engine.ask(op="setup")["ok"]:
                raise RuntimeError("fields missing after setup")
            fake.ask(op="advance", seconds=60)
            fake.ask(op="reset")
            offset = 60.0
            accounts_before = 0
            for key, title, kind, advance in (
                ("1", "full sync from empty state", "full", 0.0),
                ("1b", "next cycle: own writes re-read", "incremental", HOUR),
            ):
                if advance:
                    fake.ask(op="advance", seconds=advance)
                    offset += advance
                done = engine.ask(op="cycle", kind=kind, offset=offset)
                stats = fake.ask(op="stats")
                fake.ask(op="reset")
                report = done["report"]
                calls: Counter[str] = Counter()
                for endpoint, n in stats["by_endpoint"].items():
                    calls[kind_of(endpoint)] += int(n)
                people_rows = {k: objects[k] for k in ("Lead", "Contact", "Account")}
                written = int(report["written"]) + int(report["write_failures"])
                accounts = int(report.get("accounts_written", 0))
                if kind == "full":
                    rows = people_rows
                    leads = objects["Lead"]
                    writes = {
                        "Lead": min(written, leads),
                        "Contact": max(0, written - leads),
                        "Account": accounts,
                    }
                else:  # the records the full sync wrote: re-read, nothing to write
                    rows = {"Lead": objects["Lead"], "Contact": objects["Contact"]}
                    rows["Account"] = accounts_before
                    writes = {"Lead": written, "Account": accounts}
                accounts_before = accounts
                m = M.salesforce(
                    rows,
                    writes,
                    login=kind == "full",
                    first=kind == "full",
                )
                least = {"read": m.reads, "write": m.writes, "auth": m.auth}
                total, least_total = sum(calls.values()), m.total
                jobs = sum(n for e, n in stats["by_endpoint"].items() if e.endswith("/jobs/ingest"))
                queries = sum(
                    n for e, n in stats["by_endpoint"].items() if e.endswith("/jobs/query")
                )
                seconds = float(done["seconds"])
                latency_floor = least_total * args.latency_ms / 1000
                result = {
                    "n": people,
                    "run": key,
                    "status": report["status"],
                    "calls": dict(calls),
                    "floor": least,
                    "calls_ratio": round(total / least_total, 3),
                    "seconds": round(seconds, 1),
                    "cpu_s": round(float(done["cpu_s"]), 1),
                    "latency_floor_s": round(latency_floor, 1),
                    "people_per_s": round(int(report["pulled"]) / seconds, 1) if seconds else 0,
                    "peak_rss_mb": round(int(done["peak_rss_kb"]) / 1024, 1),
                    "bulk_query_jobs": queries,
                    "bulk_ingest_jobs": jobs,
                    "pulled": report["pulled"],
                    "written": report["written"],
                    "accounts_written": accounts,
                }
                out.append(result)
                by_kind = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
                print(
                    f"N={people:,} ({key}) {title}: {total} calls ({by_kind}) vs floor "
                    f"{least_total} = {result['calls_ratio']:.2f}x; {seconds:.1f} s "
                    f"(latency floor {latency_floor:.1f} s, CPU {result['cpu_s']} s), "
                    f"{result['people_per_s']:,} people/s pulled, {report['written']:,} "
                    f"written + {accounts:,} accounts, {queries} Bulk query / {jobs} Bulk "
                    f"ingest jobs, peak RSS {result['peak_rss_mb']} MB, "
                    f"status {report['status']}",
                    flush=True,
                )
                if report["status"] != "ok":
                    print(f"#   cycle {report['status']}: {report['error']}", flush=True)
    finally:
        if engine is not None:
            engine.close()
        fake.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="20000,200000", help="People (Leads + Contacts) per run.")
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve is not None:
        return serve(args.serve, args.seed, args.latency_ms)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    started = time.perf_counter()
    results = [r for n in sizes for r in run_size(n, args)]
    full = [r for r in results if r["run"] == "1"]
    rss = [r["peak_rss_mb"] for r in results]
    summary = {
        "sizes": sizes,
        "calls_ratio": max(r["calls_ratio"] for r in results),
        "full_sync_seconds": {str(r["n"]): r["seconds"] for r in full},
        "full_sync_people_per_s": {str(r["n"]): r["people_per_s"] for r in full},
        "peak_rss_mb": {str(r["n"]): r["peak_rss_mb"] for r in full},
        "peak_rss_growth": round(max(rss) / min(rss), 2) if rss and min(rss) else None,
        "failed_cycles": sum(1 for r in results if r["status"] != "ok"),
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
