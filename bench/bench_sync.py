"""Sync benchmark against the physical limits (not part of the test run).

For each CRM fake and each N (Salesforce: 10,000 and 50,000 contacts; HubSpot:
1,000 and 5,000 by default, on an Enterprise and a Professional portal
(``--hubspot-plans``); about 8 activities per contact from the seeded
generator), at pro-tier rate limits with 50 ms latency added to every request,
the real engine and connector run:

  (1)  a full sync from empty state;
  (1b) the next cycle, which re-reads the records the full sync's own writes
       touched and writes none of them (a cycle right after a write cycle
       always does; without it run 2 would measure the full sync's writes);
  (2)  an incremental cycle after 1% of the contacts changed (new titles);
  (3)  the cycle right after (our own writes re-read, nothing to write);
  (4)  a no-change cycle;
  (5)  ``resync --rescore-only`` of every contact (no API reads).

Between cycles the fake's and the engine's clocks move one hour ahead (a
schedule's interval, longer than the connectors' lookback windows), so each
cycle reads what changed since the one before. The daily full rescore is set
an hour before the first cycle's time of day so that it never falls inside the
simulated span.

The fake runs in one process and the engine in another (sync_fake.py,
sync_engine.py), so the fake's CPU and memory are not counted as the engine's.
Calls are counted from the fake's request log; minimum calls and time bounds
come from sync_minimum.py. Each run prints one line, each HubSpot size and plan
a summary (full-sync calls per contact, the no-change cycle's calls, both
against the floor); the last line is JSON:
{"calls_ratio", "time_ratio", "http_429", "peak_rss_mb_10k", "peak_rss_mb_50k",
 "incremental_calls_per_changed_contact", "nochange_write_calls",
 "rescore_contacts_per_s", "rescore_contacts_per_s_<N>",
 "hubspot_full_calls_per_contact_<plan>_<N>",
 "hubspot_nochange_calls_<plan>_<N>", ...}.

Usage: python bench/bench_sync.py [--sizes 10000,50000] [--hubspot-sizes 1000,5000]
       [--hubspot-plans enterprise,professional]
       [--crms salesforce,hubspot] [--latency-ms 50] [--change 0.01] [--seed 1]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import sync_minimum as M  # noqa: E402

HOUR = 3600.0
SETUP_GAP_S = 60.0


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    title: str
    kind: str  # full | incremental | rescore
    advance_s: float
    change: bool = False


STEPS = (
    Step("1", "full sync from empty state", "full", 0.0),
    Step("1b", "next cycle: the full sync's own writes re-read", "incremental", HOUR),
    Step("2", "incremental after {share} of contacts changed", "incremental", HOUR, change=True),
    Step("3", "cycle right after: own writes re-read", "incremental", HOUR),
    Step("4", "no-change cycle", "incremental", HOUR),
    Step("5", "resync --rescore-only (no API reads)", "rescore", 0.0),
)


@dataclass
class RunResult:
    crm: str
    n: int
    step: Step
    report: Mapping[str, Any]
    seconds: float
    cpu_s: float
    peak_rss_mb: float
    calls: dict[str, int]
    minimum: M.Minimum
    http_429: int
    changed: int = 0
    rate_bounds: dict[str, float] = field(default_factory=dict)
    latency_bound_s: float = 0.0
    #: HubSpot: the fake portal's plan (enterprise, professional, starter).
    plan: str = ""

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def ratio(self) -> float:
        if self.minimum.total == 0:
            return 1.0 if self.total_calls == 0 else math.inf
        return self.total_calls / self.minimum.total

    @property
    def time_ratio(self) -> float | None:
        bound = max(self.rate_bounds.values(), default=0.0)
        return self.seconds / bound if bound else None

    @property
    def contacts_per_s(self) -> float:
        done = int(self.report["scored" if self.step.kind == "rescore" else "pulled"])
        return done / self.seconds if self.seconds else 0.0


class Child:
    """A helper process spoken to in JSON lines over its stdin and stdout."""

    def __init__(self, argv: list[str], name: str) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} exited with status {self.proc.wait()}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"{self.name}: {answer['error']}")
        return answer

    def ask(self, **cmd: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(RuntimeError, OSError, ValueError):
                self.ask(op="quit")
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def classify(crm: str, endpoint: str) -> str:
    """auth / read / write / meta for one "METHOD /template" of the fake's log."""
    method, _, path = endpoint.partition(" ")
    if crm == "salesforce":
        if path.startswith(("/services/oauth2/", "/services/Soap/")):
            return "auth"
        if (
            "/jobs/ingest" in path
            or path.endswith("/composite/sobjects")
            or (method == "PATCH" and "/sobjects/" in path)
        ):
            return "write"
        if "/query" in path:
            return "read"
        return "meta"
    if "/oauth/" in path:
        return "auth"
    if "/batch/update" in path or (method == "PATCH" and "/objects/" in path):
        return "write"
    if "/properties/" in path or "/schemas" in path:
        return "meta"
    return "read"


def calls_by_kind(crm: str, stats: Mapping[str, Any]) -> dict[str, int]:
    out = {"read": 0, "write": 0, "auth": 0, "meta": 0, "search": 0}
    for endpoint, n in stats["by_endpoint"].items():
        kind = classify(crm, endpoint)
        out[kind] += int(n)
        if crm == "hubspot" and endpoint.endswith("/search"):
            out["search"] += int(n)
    return out


def minimum(
    crm: str,
    rows: Mapping[str, Any] | None,
    updates: int,
    accounts: int,
    full: bool,
    first: bool = False,
    *,
    sf_writes: Mapping[str, int] | None = None,
    sf_login: bool = False,
    sf_expired: bool = False,
) -> M.Minimum:
    """The floor of one run; Salesforce takes its writes per object (``sf_writes``),
    whether the run starts without a valid session (``sf_login``) and whether that is
    because the one it held expired (``sf_expired``)."""
    if crm == "salesforce":
        return M.salesforce(
            rows,
            sf_writes or {},
            login=sf_login,
            expired=sf_expired,
            first=first,
        )
    return M.hubspot(rows, updates, accounts, full=full, first=first)


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _daily_rescore_at(now: float) -> str:
    """A time of day one hour before ``now`` (UTC), so the simulated span of
    about five hours never reaches the daily full rescore."""
    t = time.gmtime(now - HOUR)
    return f"{t.tm_hour:02d}:{t.tm_min:02d}"


def run_crm(
    crm: str, n: int, args: argparse.Namespace, out: list[RunResult], plan: str = ""
) -> None:
    py = sys.executable
    fake = Child(
        [
            py,
            str(HERE / "sync_fake.py"),
            "--crm",
            crm,
            "--contacts",
            str(n),
            "--seed",
            str(args.seed),
            "--latency-ms",
            str(args.latency_ms),
            *(["--plan", plan] if plan else []),
        ],
        f"{crm} fake",
    )
    engine: Child | None = None
    try:
        hello = fake.read()
        objects = ", ".join(f"{v:,} {k}" for k, v in hello["objects"].items() if v)
        on = f" ({plan} plan)" if plan else ""
        print(f"# {crm}{on} N={n:,}: fake on {hello['url']} with {objects}", flush=True)
        with tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp:
            engine = Child(
                [
                    py,
                    str(HERE / "sync_engine.py"),
                    "--crm",
                    crm,
                    "--url",
                    hello["url"],
                    "--dir",
                    tmp,
                    "--daily-rescore-at",
                    _daily_rescore_at(float(hello["clock"])),
                ],
                f"{crm} engine",
            )
            engine.read()
            setup = engine.ask(op="setup")
            if not setup["ok"]:
                raise RuntimeError(f"{crm}: fields missing after setup: {setup['missing']}")
            # `syncd setup` is run before the daemon starts, not right before its first
            # cycle: give the rate-limit window the setup calls used time to refill.
            # HubSpot: also past the safety lag, so the seed's last changes (the
            # generator stamps many records at its own instant, where a real portal's
            # last two minutes hold a negligible share) fall inside the full sync's
            # search window, not only in the next cycle's
            gap = SETUP_GAP_S + (M.HUBSPOT_SAFETY_LAG_S if crm == "hubspot" else 0.0)
            fake.ask(op="advance", seconds=gap)
            fake.ask(op="reset")
            offset, since = gap, 0.0
            used_at: float | None = None  # when the floor's Salesforce session was last used
            for step in STEPS:
                changed = 0
                if step.change:
                    fake.ask(op="advance", seconds=step.advance_s / 2)
                    changed = int(
                        fake.ask(op="change", share=args.change, seed=args.seed)["changed"]
                    )
                    fake.ask(op="advance", seconds=step.advance_s / 2)
                elif step.advance_s:
                    fake.ask(op="advance", seconds=step.advance_s)
                offset += step.advance_s
                # HubSpot: what the window holds is counted before the cycle too, as the
                # cycle's own writes move the records it read (and wrote) out of it
                before = (
                    float(fake.ask(op="advance", seconds=0.0)["clock"])
                    if crm == "hubspot" and step.kind != "rescore"
                    else None
                )
                window_lo = max(0.0, since - M.HUBSPOT_SAFETY_LAG_S - M.HUBSPOT_LOOKBACK_S)
                held = (
                    fake.ask(
                        op="modified",
                        since=window_lo if since else 0.0,
                        until=before - M.HUBSPOT_SAFETY_LAG_S,
                    )["modified"]
                    if before is not None
                    else None
                )
                done = engine.ask(op="cycle", kind=step.kind, offset=offset)
                report = done["report"]
                stats = fake.ask(op="stats")
                fake.ask(op="reset")
                started = _epoch(report["started_at"])
                rows = None
                if step.kind != "rescore":
                    # HubSpot pulls stop a safety lag before the run's start (search
                    # index lag); what falls inside it is read by the next cycle
                    lag = M.HUBSPOT_SAFETY_LAG_S if crm == "hubspot" else 0.0
                    # ... and re-read a lookback before the previous window's end (the
                    # search index lags writes; HubSpot documents no bound)
                    back = M.HUBSPOT_LOOKBACK_S if crm == "hubspot" and since else 0.0
                    rows = fake.ask(
                        op="modified", since=max(0.0, since - lag - back), until=started - lag
                    )["modified"]
                    if held is not None:
                        rows = dict(rows)
                        for key in (*M.HS_OBJECTS, "deals"):
                            rows[key] = max(int(rows[key]), int(held[key]))
                    if crm == "hubspot" and step.kind == "full":
                        # companies and contacts are listed and a form's submissions
                        # paged whole: every one, those stamped after the window's end
                        # too; engagements and deals are searched up to that end
                        every = fake.ask(op="modified", since=0.0, until=started + 30 * 86_400)
                        rows = dict(rows)
                        for key in (*M.HS_LISTED, "submissions"):
                            rows[key] = every["modified"][key]
                    if crm == "salesforce" and step.kind == "full":
                        # every record; the cycle's own writes moved the written
                        # records' stamps past its start, out of "modified"
                        rows = dict(stats["objects"])
                    since = started
                updates = int(report["written"]) + int(report["write_failures"])
                calls = calls_by_kind(crm, stats)
                search = calls.pop("search")
                sf_writes: dict[str, int] = {}
                sf_login = sf_expired = False
                if crm == "salesforce":
                    # what the cycle wrote, by object, as the fake received it
                    sent = (stats.get("writes") or {}).get("records") or {}
                    sf_writes = {k: int(v) for k, v in sent.items()}
                    # a session ends session_ttl_s after its last request (the org's
                    # session timeout counts inactivity)
                    if rows is not None or any(sf_writes.values()):
                        sf_expired = used_at is not None and started - used_at >= float(
                            hello["session_ttl_s"]
                        )
                        sf_login = used_at is None or sf_expired
                        used_at = float(fake.ask(op="advance", seconds=0.0)["clock"])
                least = minimum(
                    crm,
                    rows,
                    updates,
                    int(report.get("accounts_written", 0)),
                    step.kind == "full",
                    first=step.key == "1",
                    sf_writes=sf_writes,
                    sf_login=sf_login,
                    sf_expired=sf_expired,
                )
                result = RunResult(
                    crm,
                    n,
                    step,
                    report,
                    float(done["seconds"]),
                    float(done["cpu_s"]),
                    int(done["peak_rss_kb"]) / 1024,
                    calls,
                    least,
                    int(stats["by_status"].get("429", 0)),
                    changed,
                    M.rate_bound_s(crm, least),
                    M.latency_bound_s(least, args.latency_ms),
                    plan=plan,
                )
                if search:
                    result.calls["search"] = search
                    result.calls["read"] -= search
                out.append(result)
                print(line(result, args.change), flush=True)
                if crm == "hubspot" and step.kind == "full":
                    by = sorted(stats["by_endpoint"].items(), key=lambda kv: -int(kv[1]))
                    print("#   calls by endpoint: " + ", ".join(f"{k} {v}" for k, v in by))
                if crm == "salesforce" and result.ratio > 1.0 and stats.get("queries"):
                    by = sorted(stats["queries"].items(), key=lambda kv: (-int(kv[1]), kv[0]))
                    print("#   queries by object: " + ", ".join(f"{k} {v}" for k, v in by))
                if stats.get("limited"):
                    print(f"#   429s by endpoint: {stats['limited']}", flush=True)
                w = stats.get("writes") or {}
                if w.get("batches") or w.get("bulk_jobs"):
                    print(
                        f"#   writes: {w['batches']} write batches, {w['bulk_jobs']} Bulk "
                        f"API 2.0 jobs, at most {w['max_parallel']} write requests in "
                        "flight at once",
                        flush=True,
                    )
                if report["status"] != "ok":
                    print(f"#   cycle {report['status']}: {report['error']}", flush=True)
    finally:
        if engine is not None:
            engine.close()
        fake.close()


def line(r: RunResult, share: float) -> str:
    title = r.step.title.format(share=f"{share:.0%}")
    calls = " ".join(f"{k} {v}" for k, v in r.calls.items() if v) or "none"
    m = r.minimum
    bound = ", ".join(f"{k} {v:.1f}s" for k, v in r.rate_bounds.items()) or "no rate limit"
    tr = f" = {r.time_ratio:.2f}x" if r.time_ratio is not None else ""
    rep = r.report
    crm = f"{r.crm}/{r.plan[:3]}" if r.plan else r.crm
    return (
        f"{crm:<10} {r.n:>6,} ({r.step.key:>2}) {title:<52} | calls {r.total_calls} "
        f"({calls}) vs min {m.total} (read {m.reads} write {m.writes} auth {m.auth})"
        f" = {r.ratio:.2f}x | {r.seconds:.1f}s (cpu {r.cpu_s:.1f}s) vs bound {bound}{tr}; "
        f"latency floor {r.latency_bound_s:.1f}s | 429s {r.http_429} | peak RSS "
        f"{r.peak_rss_mb:.0f} MB | {r.contacts_per_s:,.0f} contacts/s | pulled "
        f"{rep['pulled']} scored {rep['scored']} written {rep['written']}"
        + (f"+{rep['accounts_written']} accounts" if rep.get("accounts_written") else "")
        + (f" changed {r.changed}" if r.changed else "")
    )


def summary(results: list[RunResult], sizes: list[int]) -> dict[str, Any]:
    """The last line: the issue's keys (peak RSS for each size run, the largest over
    the CRMs), plus peak_rss_growth (largest over smallest size, worst CRM),
    full_sync_latency_ratio and failed_cycles."""

    def of(key: str) -> list[RunResult]:
        return [r for r in results if r.step.key == key]

    # a full sync is rate-bound when its rate bound spans a burst window at least; a
    # smaller one (1,000 contacts: its searches take 2 s) waits on latency and CPU
    time_ratios = [
        r.time_ratio
        for r in of("1")
        if r.time_ratio is not None and max(r.rate_bounds.values()) >= M.BURST_WINDOW_S
    ]
    out: dict[str, Any] = {
        "calls_ratio": round(max((r.ratio for r in results), default=0.0), 3),
        "time_ratio": round(max(time_ratios), 3) if time_ratios else None,
        "http_429": sum(r.http_429 for r in results),
    }
    for n in sizes:
        peaks = [r.peak_rss_mb for r in results if r.n == n]
        if peaks:
            out[f"peak_rss_mb_{n // 1000}k" if n % 1000 == 0 else f"peak_rss_mb_{n}"] = round(
                max(peaks), 1
            )
    growth = []
    for crm in sorted({r.crm for r in results}):
        mine = sorted({r.n for r in results if r.crm == crm})
        if len(mine) > 1:
            low = max(r.peak_rss_mb for r in results if r.crm == crm and r.n == mine[0])
            high = max(r.peak_rss_mb for r in results if r.crm == crm and r.n == mine[-1])
            growth.append(high / low)
    out["peak_rss_growth"] = round(max(growth), 3) if growth else None
    inc = [r.total_calls / r.changed for r in of("2") if r.changed]
    out["incremental_calls_per_changed_contact"] = round(max(inc), 4) if inc else None
    out["nochange_write_calls"] = sum(r.calls.get("write", 0) for r in of("4"))
    rescore = [r.contacts_per_s for r in of("5")]
    out["rescore_contacts_per_s"] = round(min(rescore)) if rescore else None
    for n in sorted({r.n for r in of("5")}):  # the goal is per size (10k, 50k)
        rates = [r.contacts_per_s for r in of("5") if r.n == n]
        out[f"rescore_contacts_per_s_{n}"] = round(min(rates))
    latency = [r.seconds / r.latency_bound_s for r in of("1") if r.latency_bound_s]
    out["full_sync_latency_ratio"] = round(max(latency), 2) if latency else None
    out["failed_cycles"] = sum(1 for r in results if r.report["status"] != "ok")
    for r in of("1"):
        if r.crm == "hubspot" and r.plan:
            key = f"hubspot_full_calls_per_contact_{r.plan}_{r.n}"
            out[key] = round(r.total_calls / r.n, 4)
    for r in of("4"):
        if r.crm == "hubspot" and r.plan:
            out[f"hubspot_nochange_calls_{r.plan}_{r.n}"] = r.total_calls
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--sizes",
        default="10000,50000",
        help="Comma-separated contact counts (default 10000,50000).",
    )
    p.add_argument(
        "--hubspot-sizes",
        default=None,
        help="Contact counts for HubSpot (default 1000,5000 with the default "
        "--sizes, else --sizes); each runs once per --hubspot-plans.",
    )
    p.add_argument("--crms", default="salesforce,hubspot")
    p.add_argument(
        "--hubspot-plans",
        default="enterprise,professional",
        help="HubSpot portal plans to run (the events API is Enterprise only).",
    )
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--change", type=float, default=0.01, help="Share of contacts changed in run 2.")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    hs_default = "1000,5000" if args.sizes == "10000,50000" else args.sizes
    hs_sizes = [int(x) for x in (args.hubspot_sizes or hs_default).split(",") if x]
    crms = [c for c in args.crms.split(",") if c]
    begun = time.monotonic()
    print(
        f"# syncd sync benchmark: {os.cpu_count()} CPUs, latency {args.latency_ms:g} ms, "
        f"pro tier, seed {args.seed}",
        flush=True,
    )
    results: list[RunResult] = []
    for crm in crms:
        if importlib.util.find_spec(f"connectors.{crm}.connector") is None:
            print(f"# {crm}: no connector in this build; skipped", flush=True)
            continue
        for n in hs_sizes if crm == "hubspot" else sizes:
            if crm != "hubspot":
                run_crm(crm, n, args, results)
                continue
            for plan in [x for x in args.hubspot_plans.split(",") if x]:
                run_crm(crm, n, args, results, plan)
                full = next(r for r in reversed(results) if r.step.key == "1")
                quiet = next(r for r in reversed(results) if r.step.key == "4")
                print(
                    f"# hubspot {plan} N={n:,}: full sync {full.total_calls / n:.4f} calls per "
                    f"contact ({full.total_calls} calls, {full.ratio:.3f}x the floor); "
                    f"no-change cycle {quiet.total_calls} calls ({quiet.ratio:.3f}x)",
                    flush=True,
                )
    print(f"# finished in {time.monotonic() - begun:.0f}s", flush=True)
    print(json.dumps(summary(results, sorted({*sizes, *hs_sizes}))))
    return 0 if all(r.report["status"] == "ok" for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
