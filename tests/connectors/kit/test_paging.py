"""Pagination that goes round in a loop stops with a clear error: the kit's guards, and
both connectors against their fakes serving a repeating cursor (the ``repeat`` fault)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from connectors.kit.paging import PageTrail, PagingLoop, TokenChains
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, connect
from tests.kit.salesforce_connector import make_org


def test_a_trail_refuses_a_token_twice_and_records_past_the_total() -> None:
    trail = PageTrail("q", total=5)
    trail.follow("a")
    trail.count(3)
    with pytest.raises(PagingLoop, match="'a' a second time after 1 pages"):
        trail.follow("a")
    trail.count(2)
    with pytest.raises(PagingLoop, match="6 records, more than the 5"):
        trail.count(1)


def test_chains_tell_a_continued_read_from_a_new_one() -> None:
    chains = TokenChains(keep=2)
    chains.step("s", None, "t1", records=100)
    chains.step("s", "t1", "t2", records=100)
    # a read that starts again at a token it saw (resumed from a stored cursor) is new
    chains.step("s", "t1", "t2", records=100)
    with pytest.raises(PagingLoop, match="'t1' a second time"):
        chains.step("s", "t2", "t1", records=100)  # the answer points back into the read
    chains.step("s", None, "x", records=3, total=5)
    with pytest.raises(PagingLoop, match="more than the 5"):
        chains.step("s", "x", None, records=3, total=5)
    chains.step("other", None, "y")
    chains.step("third", None, "z")  # "s" is forgotten (keep=2): "x" starts a new read
    chains.step("s", "x", None, records=3)


def test_hubspot_stops_a_repeating_after_token() -> None:
    clock = ManualClock(T0)
    dataset = generate(3, 250, datetime.fromtimestamp(T0 - 3600, tz=UTC))
    app = HubSpotSandbox(dataset, clock=clock, faults=FaultSpec(repeat_rate=1.0))
    with SandboxServer(app) as server:
        conn = connect(server.url, clock)
        with pytest.raises(PagingLoop, match="paging token") as caught:
            list(conn.changes(None, clock.utc(), full=True))
        conn.close()
    assert "HubSpot" in str(caught.value)
    sent = Counter(
        (r.path, r.query["after"][0]) for r in app.log.requests() if r.query.get("after")
    )
    assert list(sent.values()) == [1]  # stopped at the answer pointing back at itself


def test_salesforce_stops_a_repeating_next_records_url() -> None:
    clock = ManualClock()
    app = SalesforceSandbox(clock=clock, sleep=lambda s: None, faults=FaultSpec(repeat_rate=1.0))
    with make_org(app, clock) as org:
        for i in range(4500):
            org.app.store.insert("Contact", {"LastName": f"C{i}"})
        conn = org.connector()
        soql = "SELECT Id FROM Contact"
        with pytest.raises(PagingLoop, match="Salesforce query"):
            list(conn.client.query_pages(soql, include_deleted=True))
        conn.close()


def test_salesforce_stops_a_repeating_bulk_locator() -> None:
    clock = ManualClock()
    app = SalesforceSandbox(clock=clock, sleep=lambda s: None, faults=FaultSpec(repeat_rate=1.0))
    with make_org(app, clock) as org:
        for i in range(2600):  # one REST page, then Bulk pages of 250
            org.app.store.insert("Contact", {"LastName": f"C{i}"})
        clock.advance(2)
        conn = org.connector(bulk_read_threshold=100, bulk_page_records=250)
        with pytest.raises(PagingLoop, match=r"Bulk query job .* on Contact"):
            list(conn.changes(None, clock.utc()))
        conn.close()
