"""Throughput of one sync cycle over the in-memory CRM (state on SQLite).

    PYTHONPATH=. python bench/bench_cycle.py [CONTACTS]   (uses the test kit's memory CRM)

Prints seconds per phase-heavy cycle: the first (everything new), a re-read of
our own writes, and a daily rescore from local state.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from syncd.sandbox.generator import generate
from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.sync.helpers import NAME, NOW, Clock, make_engine, write_config


def main(n: int) -> None:
    crm = MemoryCRM()
    ds = generate(3, n, NOW)
    for co in ds.companies:
        crm.add_account(co.key, name=co.name, domain=co.domain)
    for c in ds.contacts:
        crm.add_contact(
            c.key, email=c.email, account_id=c.company_key, properties={"title": c.title}
        )
    for i, a in enumerate(ds.activities):
        crm.add_activity(f"a{i}", a.contact_key, type=a.type, at=a.at.isoformat(), **a.attrs)
    tmp = Path(tempfile.mkdtemp())
    clock = Clock()
    app, _ = make_engine(
        write_config(tmp, f"sqlite:///{tmp / 's.db'}"),
        crm,
        clock=clock,
        page_size=500,
        write_batch_size=100,
    )
    for label in ("first", "re-read", "daily rescore"):
        if label == "daily rescore":
            clock.now = NOW + timedelta(days=1)
        t = time.perf_counter()
        r = run_cycle(app, NAME)
        dt = time.perf_counter() - t
        print(
            f"{label:>14}: {dt:6.2f}s  pulled={r.pulled} scored={r.scored} "
            f"written={r.written} ({r.status}) {n / dt:,.0f} contacts/s"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
