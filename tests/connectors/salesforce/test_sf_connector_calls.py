"""A full sync of a generated org: calls counted from the fake's request log are within
5% of the minimum that the page (2,000) and collection (200) limits allow."""

from __future__ import annotations

import math

from connectors.base import ContactUpdate
from connectors.salesforce.limits import COLLECTION_MAX, QUERY_PAGE_MAX
from connectors.salesforce.reads import STANDARD_OBJECTS
from syncd.sandbox.generator import generate
from syncd.sandbox.salesforce import SalesforceSandbox
from tests.kit.clock import ManualClock
from tests.kit.salesforce_connector import create_fields, make_org
from tests.kit.writes import written

OBJECTS = STANDARD_OBJECTS


def test_full_sync_calls_are_within_5_percent_of_the_minimum(clock: ManualClock) -> None:
    data = generate(11, 3000, clock.utc())
    app = SalesforceSandbox(data, clock=clock, sleep=lambda s: None)
    with make_org(app, clock) as org:
        create_fields(org)
        clock.advance(5)
        conn = org.connector()
        conn.ensure_fields(create=False)  # the engine verifies fields at start (3 describes)
        app.log.reset()
        until = clock.utc()
        pages = list(conn.changes(None, until, full=True))
        counts = {name: len(app.store.records(name, include_deleted=True)) for name in OBJECTS}
        reads = sum(1 for r in app.log.requests() if "/query" in r.path or "/queryAll" in r.path)
        minimum_reads = sum(math.ceil(max(n, 1) / QUERY_PAGE_MAX) for n in counts.values())
        people = [c for p in pages for c in p.contacts if c.writable]
        now = clock.utc()
        updates = [ContactUpdate(c.id, c.kind, 10, "nurture", "", False, now) for c in people]
        app.log.reset()
        outcomes = written(conn, updates)
        writes = len(app.log.requests())
        minimum_writes = math.ceil(len(updates) / COLLECTION_MAX)
        total, minimum = reads + writes, minimum_reads + minimum_writes
        print(
            f"\nfull sync of {counts}: {reads} read calls (minimum {minimum_reads}), "
            f"{writes} write calls for {len(updates)} updates (minimum {minimum_writes}); "
            f"total {total} vs minimum {minimum} = {total / minimum:.3f}x"
        )
        assert {o.status for o in outcomes} == {"ok"}
        assert sum(len(p.contacts) for p in pages) == counts["Lead"] + counts["Contact"]
        assert total <= 1.05 * minimum
        assert writes == minimum_writes


def test_a_pull_reuses_the_describes_of_the_field_check(clock: ManualClock) -> None:
    """The engine verifies fields before each pull (in a new process: describes);
    the pull then selects from the same describes instead of describing again."""
    app = SalesforceSandbox(generate(12, 50, clock.utc()), clock=clock, sleep=lambda s: None)
    with make_org(app, clock) as org:
        create_fields(org)
        clock.advance(5)
        conn = org.connector()
        app.log.reset()
        assert conn.ensure_fields(create=False).ok
        list(conn.changes(None, clock.utc(), full=True))
        describes = [r.path for r in app.log.requests() if r.path.endswith("/describe")]
        assert sorted(describes) == sorted(
            f"/services/data/v66.0/sobjects/{o}/describe" for o in ("Lead", "Contact", "Account")
        )
