"""One fake CRM in its own process, for bench_sync.py (not part of the test run).

Generates ``--contacts`` contacts (seeded), serves the HubSpot or Salesforce
sandbox on 127.0.0.1 with ``--latency-ms`` added to every request and pro-tier
rate limits, prints one JSON line ``{"url": ..., "objects": {...}, "clock": T,
"session_ttl_s": S}`` (S: how long a Salesforce session lives; null for HubSpot) and then
answers JSON-line commands on stdin, one JSON line each on stdout:

- ``{"op": "advance", "seconds": S}``: move the fake's clock forward (record
  stamps, rate-limit buckets, search-index lag all follow it);
- ``{"op": "stats"}``: requests by endpoint and status since the last reset,
  and the object counts; ``{"op": "reset"}`` forgets the requests;
- ``{"op": "change", "share": F, "seed": K}``: edits the title of a seeded
  random share F of the writable contacts (their modification stamps move);
- ``{"op": "modified", "since": T0, "until": T1}``: records per object whose
  modification stamp is in [T0, T1) (epoch seconds), to derive minimum calls;
  ``--plan`` (HubSpot: starter, professional, enterprise) sets the portal's plan;
- ``{"op": "quit"}``.

Running the fake in a process of its own keeps its memory and CPU out of the
engine's figures (peak RSS is measured in the engine's process).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sync_minimum as M  # noqa: E402

from syncd.sandbox.faults import FaultSpec  # noqa: E402
from syncd.sandbox.generator import generate  # noqa: E402
from syncd.sandbox.server import SandboxApp, SandboxServer  # noqa: E402

TOKEN = "bench-hubspot-token"
#: New titles for changed contacts: each moves the default model's fit score.
TITLES = ("Chief Executive Officer", "Intern", "Engineering Manager", "Analyst")


class Clock:
    """Wall-clock seconds plus an offset the bench moves forward between cycles."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


# ------------------------------------------------------------------ Salesforce


def _sf_app(
    contacts: int, seed: int, faults: FaultSpec, clock: Clock, plan: str = ""
) -> SandboxApp:
    from syncd.sandbox.salesforce import SalesforceSandbox

    data = generate(seed, contacts, datetime.fromtimestamp(clock(), UTC))
    # an Enterprise org's allocation (100k + 1k per licence): never the bound here
    return SalesforceSandbox(data, faults=faults, clock=clock, daily_api_limit=1_000_000)


def _sf_counts(app: Any) -> dict[str, int]:
    with app.lock:
        return {name: len(app.store.table(name)) for name in M.SF_OBJECTS}


def _sf_modified(app: Any, since: float, until: float) -> dict[str, Any]:
    lo = datetime.fromtimestamp(since, UTC)
    hi = datetime.fromtimestamp(until, UTC)
    with app.lock:
        return {
            name: sum(1 for r in app.store.table(name).values() if lo <= r["SystemModstamp"] < hi)
            for name in M.SF_OBJECTS
        }


def _sf_change(app: Any, share: float, seed: int) -> int:
    rnd = random.Random(seed)
    with app.lock:
        people = [
            (name, rid)
            for name in ("Lead", "Contact")
            for rid, r in app.store.table(name).items()
            if not r["IsDeleted"] and not r.get("IsConverted")
        ]
    chosen = rnd.sample(people, round(share * len(people)))
    for n, (name, rid) in enumerate(chosen):
        app.store.update(name, rid, {"Title": TITLES[n % len(TITLES)]})
    return len(chosen)


# ------------------------------------------------------------------ HubSpot


def _hs_app(
    contacts: int, seed: int, faults: FaultSpec, clock: Clock, plan: str = "enterprise"
) -> SandboxApp:
    from syncd.sandbox.hubspot import HubSpotSandbox

    data = generate(seed, contacts, datetime.fromtimestamp(clock(), UTC))
    return HubSpotSandbox(
        data,
        token=TOKEN,
        tier="pro",
        faults=faults,
        clock=clock,
        plan=plan,  # type: ignore[arg-type]
    )


def _hs_counts(app: Any) -> dict[str, int]:
    with app.lock:
        return dict(app.object_counts())


HS_ENGAGING = ("OPEN", "CLICK")


def _hs_modified(app: Any, since: float, until: float) -> dict[str, Any]:
    """What a pull of [since, until) has to read, by stream (sync_minimum.hubspot)."""
    lo, hi = int(since * 1000), int(until * 1000)
    st = app.store
    with app.lock:
        out: dict[str, Any] = {
            t: sum(1 for r in st.records[t].values() if r.live and lo <= r.updated_ms < hi)
            for t in M.HS_OBJECTS
        }
        out["deals"] = sum(
            1 for r in st.records["deals"].values() if r.live and lo <= r.updated_ms < hi
        )
        for t in ("contacts", "companies"):
            out[f"archived_{t}"] = sum(1 for r in st.records[t].values() if r.archived)
        events = [e for e in st.email_events if lo <= e.created_ms < hi]
        out["email_events"] = len(events)
        out["email_event_types"] = dict(Counter(e.type for e in events))
        out["campaigns"] = len({e.campaign_id for e in events if e.type in HS_ENGAGING})
        out["forms"] = len(st.forms)
        emails = {e.recipient.lower() for e in events}
        subs: list[int] = []
        for form in st.forms.values():
            inside = [x for x in form.submissions if lo <= int(x["submittedAt"]) < hi]
            subs.append(len(inside))
            emails.update(
                str(v["value"]).lower() for x in inside for v in x["values"] if v["name"] == "email"
            )
        out["submissions"] = subs
        out["addresses"] = len(emails)  # distinct e-mail addresses of events and submissions
        views: Counter[str] = Counter(
            v.contact_id for v in st.page_views if lo <= v.occurred_ms < hi
        )
        out["page_views"] = sorted(views.values())
        out["plan"] = app.plan
    return out


def _hs_change(app: Any, share: float, seed: int) -> int:
    rnd = random.Random(seed)
    with app.lock:
        people = sorted(app.store.records["contacts"])
        people = [i for i in people if app.store.get("contacts", i) is not None]
    chosen = rnd.sample(people, round(share * len(people)))
    with app.lock:
        for n, rid in enumerate(chosen):
            app.store.update("contacts", rid, {"jobtitle": TITLES[n % len(TITLES)]})
    return len(chosen)


CRMS: dict[
    str,
    tuple[
        Callable[..., SandboxApp],
        Callable[[Any], dict[str, int]],
        Callable[[Any, float, float], dict[str, Any]],
        Callable[[Any, float, int], int],
    ],
] = {
    "salesforce": (_sf_app, _sf_counts, _sf_modified, _sf_change),
    "hubspot": (_hs_app, _hs_counts, _hs_modified, _hs_change),
}


class WriteGauge:
    """Write requests as the fake sees them: CRM write batches, Bulk ingest jobs, the
    most write requests in flight at once (concurrent batches show here) and, for
    Salesforce, the records sent by object (sObject Collections bodies, Bulk ingest
    uploads by their job's object)."""

    def __init__(self, app: SandboxApp) -> None:
        self.lock = threading.Lock()
        self.inflight = self.most = self.batches = self.bulk_jobs = 0
        self.records: Counter[str] = Counter()
        self.job_object: dict[str, str] = {}
        handle = app.handle

        def tracked(request: Any) -> Any:
            path, method = request.path, request.method
            write = method in ("POST", "PATCH") and (
                "/batch/update" in path or path.endswith("/composite/sobjects")
            )
            if method == "POST" and path.endswith("/jobs/ingest"):
                answered = handle(request)
                body = answered[0].body  # (response, route template)
                with self.lock:
                    self.bulk_jobs += 1
                    if isinstance(body, dict) and "id" in body:
                        self.job_object[str(body["id"])] = str(request.json()["object"])
                return answered
            if method == "PUT" and path.endswith("/batches") and "/jobs/ingest/" in path:
                job = path.split("/jobs/ingest/")[1].split("/")[0]
                rows = max(0, len([x for x in request.body.splitlines() if x]) - 1)
                with self.lock:
                    self.records[self.job_object.get(job, "?")] += rows
                return handle(request)
            if not write:
                return handle(request)
            if path.endswith("/composite/sobjects"):
                kinds = Counter(
                    str(r.get("attributes", {}).get("type"))
                    for r in request.json().get("records", [])
                )
                with self.lock:
                    self.records.update(kinds)
            with self.lock:
                self.inflight += 1
                self.batches += 1
                self.most = max(self.most, self.inflight)
            try:
                return handle(request)
            finally:
                with self.lock:
                    self.inflight -= 1

        app.handle = tracked  # type: ignore[method-assign]

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "batches": self.batches,
                "bulk_jobs": self.bulk_jobs,
                "max_parallel": self.most,
                "records": dict(self.records),
            }

    def reset(self) -> None:
        with self.lock:
            self.most = self.batches = self.bulk_jobs = 0
            self.records.clear()


_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)


def _queries_by_object(requests: Any) -> dict[str, int]:
    """Salesforce queries (a REST ``q``, or a Bulk API 2.0 query job's creation) by the
    object they read; HubSpot: empty."""
    found: Counter[str] = Counter()
    for r in requests:
        text = (r.query.get("q") or [""])[0]
        if not text and r.method == "POST" and r.path.endswith("/jobs/query"):
            text = "Bulk " + str(json.loads(r.body or b"{}").get("query", ""))
        hit = _FROM.search(text)
        if hit:
            found[("Bulk " if text.startswith("Bulk ") else "") + hit.group(1)] += 1
    return dict(found)


def _answer(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--crm", choices=sorted(CRMS), required=True)
    p.add_argument("--contacts", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--plan", default="enterprise", help="HubSpot: the portal's plan.")
    args = p.parse_args(argv)
    build, counts, modified, change = CRMS[args.crm]
    clock = Clock()
    app = build(args.contacts, args.seed, FaultSpec(latency_ms=args.latency_ms), clock, args.plan)
    gauge = WriteGauge(app)
    with SandboxServer(app) as server:
        sessions = getattr(app, "sessions", None)  # Salesforce: how long a session lives
        ttl = None if sessions is None else sessions.ttl_s
        _answer({"url": server.url, "objects": counts(app), "clock": clock(), "session_ttl_s": ttl})
        for line in sys.stdin:
            cmd = json.loads(line)
            op = cmd.get("op")
            if op == "advance":
                clock.offset += float(cmd["seconds"])
                _answer({"clock": clock()})
            elif op == "stats":
                stats = app.log.stats(counts(app))
                limited = Counter(r.endpoint for r in app.log.requests() if r.status == 429)
                stats["limited"] = dict(limited)
                stats["writes"] = gauge.stats()
                stats["queries"] = _queries_by_object(app.log.requests())
                _answer(stats)
            elif op == "reset":
                app.log.reset()
                gauge.reset()
                _answer({"reset": True})
            elif op == "change":
                _answer(
                    {
                        "changed": change(app, float(cmd["share"]), int(cmd["seed"])),
                        "clock": clock(),
                    }
                )
            elif op == "modified":
                _answer({"modified": modified(app, float(cmd["since"]), float(cmd["until"]))})
            elif op == "quit":
                _answer({"bye": True})
                break
            else:
                _answer({"error": f"unknown op {op!r}"})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
