"""Scoring throughput benchmark (not part of the test run).

Generates N contacts (default 100,000) with ~20 activities each,
deterministically (seeded), scores them with syncd/models/default.yaml and
prints, as its last line, JSON:
{"contacts_per_s": ..., "activities_per_s": ..., "contacts": ..., "seconds": ...,
 "construct_per_s": ...}
``seconds`` covers ``score_batch`` only (contacts are built beforehand: text
normalisation, sorting and indexing happen once, at construction, as in the
daemon where contacts are loaded from the state store). Construction speed is
reported on earlier lines: the constructors (incl. generation) and
``contact_from_json`` on the JSON form of the first 20,000 bench contacts
(``construct_per_s``, also in the last line; the path of ``syncd score``).
So is the CPU-time rate (on a shared machine wall time also measures the
neighbours).

Garbage collector: after building the population the benchmark calls
``gc.freeze()``, as a long-running daemon does after loading its contacts
(a program may tune its own process; ``score_batch``, a library function,
leaves the collector alone). Frozen objects are never rescanned, so the
cyclic collector's periodic full collections no longer walk the 100,000
resident contacts while results are allocated. ``--no-freeze`` measures
without it.

Account sizes: by default ~4 contacts per account. ``--accounts-1-50`` draws
each account's size uniformly from 1 to 50 (from its own seeded generator, so
the contacts' own data stay the same). ``--buying-group`` scores with
default.yaml's commented buying-group section uncommented and gives contacts a
department (own seeded generator), to measure what the account signals cost.

Usage: python bench/bench_scoring.py [N] [--no-freeze] [--accounts-1-50] [--buying-group]
"""

from __future__ import annotations

import gc
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from syncd.core import (  # noqa: E402
    Account,
    Activity,
    CompiledModel,
    Contact,
    compile_model,
    contact_from_json,
    score_batch,
)
from syncd.modelfile import load_model, parse_model  # noqa: E402

AS_OF = datetime(2026, 11, 23, tzinfo=UTC)
#: Scoring must never be a sync's bottleneck: at least this many contacts/s on one core.
FLOOR = 15_000
TITLES = [
    "VP Engineering",
    "Engineering Manager",
    "Genel Müdür",
    "Satış Müdürü",
    "Analyst",
    "Διευθύνων Σύμβουλος",
    "Geschäftsführer",
    "Vertriebsleiter",
    "Directeur général",
    "Responsable Marketing",
    "Gerente de Ventas",
    "Software Engineer",
    "CTO",
    "Intern",
]
INDUSTRIES = ["Technology", "Retail", "Manufacturing", "Finance", "Logistics"]
COUNTRIES = ["US", "UK", "CA", "DE", "TR", "GR", "FR", "ES"]
URLS = [
    "https://v.example/pricing",
    "https://v.example/demo",
    "https://v.example/blog/x",
    "https://v.example/careers",
    "https://v.example/",
    "https://v.example/docs",
]
KINDS = ["case_study", "whitepaper", "ebook"]
TYPES = (
    ["page_view"] * 8
    + ["email_open"] * 5
    + ["email_click"] * 2
    + ["content_download", "webinar_attended", "support_ticket", "unsubscribe", "form_submit"]
)


DEPARTMENTS = ["Sales", "Marketing", "IT", "Finance", "Operations", "Engineering"]
FLAGS = ("--no-freeze", "--accounts-1-50", "--buying-group")


def account_numbers(n: int, sizes: tuple[int, int] | None, seed: int) -> list[int]:
    """Account number of each of ``n`` contacts: 4 per account, or sizes
    drawn uniformly from ``sizes``."""
    if sizes is None:
        return [i // 4 for i in range(n)]
    rnd = random.Random(seed)
    out: list[int] = []
    acc = 0
    while len(out) < n:
        out += [acc] * rnd.randint(*sizes)
        acc += 1
    return out[:n]


def generate(
    n: int,
    per: int = 20,
    seed: int = 42,
    sizes: tuple[int, int] | None = None,
    departments: bool = False,
) -> list[Contact]:
    rnd = random.Random(seed)
    drnd = random.Random(seed + 2)
    accounts = account_numbers(n, sizes, seed + 1)
    now = AS_OF.timestamp()
    out: list[Contact] = []
    for i in range(n):
        acc_no = accounts[i]
        acts = []
        for _ in range(per):
            t = rnd.choice(TYPES)
            ts = now - rnd.random() * 200 * 86400
            attrs: dict[str, str | int | float | bool] = {}
            if t in ("page_view", "email_click"):
                attrs["url"] = rnd.choice(URLS)
            elif t == "content_download":
                attrs["kind"] = rnd.choice(KINDS)
            elif t == "support_ticket":
                attrs["category"] = rnd.choice(["sales", "billing", "technical"])
            elif t == "form_submit":
                attrs["form"] = "Contact us"
            acts.append(Activity(t, ts, attrs))
        props: dict[str, str | int | float | bool] = {
            "title": rnd.choice(TITLES),
            "industry": rnd.choice(INDUSTRIES),
            "employees": rnd.choice([10, 80, 250, "1,200", "450"]),
            "country": rnd.choice(COUNTRIES),
        }
        if rnd.random() < 0.01:
            props["occupation"] = "Student"
        if departments:
            props["department"] = drnd.choice(DEPARTMENTS)
        out.append(
            Contact(
                id=f"c{i}",
                email=f"user{i}@company{acc_no}.example",
                properties=props,
                account=Account(
                    id=f"acc{acc_no}",
                    name=f"Company {acc_no}",
                    properties={"priority": acc_no % 97 == 0},
                ),
                activities=tuple(acts),
                created_ts=now - 300 * 86400,
            )
        )
    return out


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def to_json(c: Contact) -> dict[str, object]:
    """The canonical JSON form (docs/scoring.md, "Contacts") of a bench contact."""
    acc = c.account
    assert acc is not None
    return {
        "id": c.id,
        "email": c.email,
        "properties": dict(c.properties),
        "account": {"id": acc.id, "name": acc.name, "properties": dict(acc.properties)},
        "created_at": None if c.created_ts is None else _iso(c.created_ts),
        "activities": [{"type": a.type, "at": _iso(a.ts), **a.attrs} for a in c.activities],
    }


def measure_json(n: int) -> tuple[int, float]:
    """``contact_from_json`` over the JSON form of the first ``n`` bench
    contacts (decoded objects, as ``syncd score`` has them after
    ``json.loads``; the built contacts are kept, as ``syncd score`` keeps its
    batch): count, seconds. Run before the scoring population exists, so the
    collector does not also walk the benchmark's own 100,000 contacts."""
    objs = [json.loads(json.dumps(to_json(c))) for c in generate(n)]
    gc.collect()
    t0 = time.perf_counter()
    built = [contact_from_json(o) for o in objs]
    secs = time.perf_counter() - t0
    return len(built), secs


def with_buying_group() -> CompiledModel:
    """default.yaml with its ``# buying_group:`` block uncommented."""
    path = ROOT / "syncd" / "models" / "default.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "# buying_group:")
    indent = lines[start][: lines[start].index("#")]
    i = start
    while i < len(lines) and lines[i].startswith(indent + "# "):
        lines[i] = indent + lines[i][len(indent) + 2 :]
        i += 1
    csv = (path.parent / "priority-accounts.csv").read_text(encoding="utf-8")
    return compile_model(parse_model("\n".join(lines), str(path), {"priority-accounts.csv": csv}))


def main() -> None:
    args = [a for a in sys.argv[1:] if a not in FLAGS]
    freeze = "--no-freeze" not in sys.argv[1:]
    sizes = (1, 50) if "--accounts-1-50" in sys.argv[1:] else None
    group = "--buying-group" in sys.argv[1:]
    n = int(args[0]) if args else 100_000
    model = with_buying_group() if group else load_model(ROOT / "syncd" / "models" / "default.yaml")
    nj, tj = measure_json(min(n, 20_000))
    construct_per_s = round(nj / tj)
    gc.collect()
    t0 = time.perf_counter()
    contacts = generate(n, sizes=sizes, departments=group)
    t1 = time.perf_counter()
    n_acts = sum(len(c.activities) for c in contacts)
    print(
        f"generated+constructed {n} contacts / {n_acts} activities in {t1 - t0:.2f}s "
        f"({n / (t1 - t0):,.0f} contacts/s construction incl. generation)"
    )
    print(f"contact_from_json: {nj} contacts in {tj:.2f}s ({construct_per_s:,} contacts/s)")
    score_batch(model, contacts[:1000], AS_OF)  # warm caches
    if freeze:
        gc.collect()
        gc.freeze()  # the loaded population is long-lived: keep it out of GC scans
    t2 = time.perf_counter()
    c2 = time.process_time()
    results = score_batch(model, contacts, AS_OF)
    secs = time.perf_counter() - t2
    cpu = time.process_time() - c2
    tiers: dict[str, int] = {}
    for r in results:
        tiers[r.tier] = tiers.get(r.tier, 0) + 1
    print(f"tiers: {json.dumps(tiers, sort_keys=True)}")
    print(
        f"scoring (gc.freeze: {'yes' if freeze else 'no'}): {secs:.2f}s wall, {cpu:.2f}s CPU "
        f"({n / cpu:,.0f} contacts/s by CPU time)"
    )
    print(
        f"floor {FLOOR:,} contacts/s on one core: {n / cpu / FLOOR:.2f}x by CPU time, "
        f"{n / secs / FLOOR:.2f}x by wall time"
    )
    print(
        json.dumps(
            {
                "contacts_per_s": round(n / secs),
                "activities_per_s": round(n_acts / secs),
                "contacts": n,
                "seconds": round(secs, 3),
                "cpu_seconds": round(cpu, 3),
                "construct_per_s": construct_per_s,
            }
        )
    )


if __name__ == "__main__":
    main()
