"""The lookback window is re-read every cycle (late commits) but a row already
delivered, identical, is not delivered again: a cycle after which nothing
changed delivers nothing, while late commits and same-second changes still come."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator

from connectors.base import Page
from connectors.salesforce.delivered import Delivered
from tests.kit.salesforce_connector import Org, drain

QUERIES = "/query"


def ids(pages: list[Page]) -> set[str]:
    return {c.id for p in pages for c in p.contacts} | {a.id for p in pages for a in p.accounts}


def test_a_cycle_after_which_nothing_changed_delivers_nothing(org: Org) -> None:
    store = org.app.store
    leads = {store.insert("Lead", {"LastName": f"L{i}", "Company": "A"}) for i in range(30)}
    account = store.insert("Account", {"Name": "Acme"})
    org.clock.advance(60)
    conn = org.connector(lookback="PT15M")
    pages, cursor = drain(conn, None, org.clock.utc())
    assert ids(pages) == leads | {account}
    org.clock.advance(300)  # well inside the 15-minute lookback
    org.app.log.reset()
    pages, cursor = drain(conn, cursor, org.clock.utc())
    assert ids(pages) == set()
    streams = len(cursor["streams"]) if cursor else 0
    assert org.requests(QUERIES) == streams  # one query per stream, no look-ups
    # a change is delivered, once
    store.update("Lead", sorted(leads)[0], {"Company": "B"})
    org.clock.advance(60)
    pages, cursor = drain(conn, cursor, org.clock.utc())
    assert ids(pages) == {sorted(leads)[0]}
    org.clock.advance(60)
    pages, _ = drain(conn, cursor, org.clock.utc())
    assert ids(pages) == set()


def test_a_late_commit_and_a_same_second_change_are_still_delivered(org: Org) -> None:
    store = org.app.store
    lead = store.insert("Lead", {"LastName": "Early", "Company": "A"})
    org.clock.advance(60)
    conn = org.connector(lookback="PT15M")
    first_until = org.clock.utc()
    pages, cursor = drain(conn, None, first_until)
    assert ids(pages) == {lead}
    stamp = next(r for r in store.records("Lead") if r["Id"] == lead)["SystemModstamp"]
    # a long transaction commits a new lead stamped before the last read's end, and
    # a change to the lead read already, stamped in the very second of that read row
    late_stamp = first_until - dt.timedelta(minutes=5)
    late = store.insert(
        "Lead",
        {
            "LastName": "Late",
            "Company": "B",
            "SystemModstamp": late_stamp,
            "CreatedDate": late_stamp,
        },
    )
    store.update("Lead", lead, {"Company": "C", "SystemModstamp": stamp})
    org.clock.advance(60)
    pages, _ = drain(conn, cursor, org.clock.utc())
    assert ids(pages) == {late, lead}
    assert {c.data.get("company") for p in pages for c in p.contacts} == {"B", "C"}


def test_a_page_the_engine_did_not_commit_is_delivered_again(org: Org) -> None:
    store = org.app.store
    leads = {store.insert("Lead", {"LastName": f"L{i}", "Company": "A"}) for i in range(3)}
    org.clock.advance(60)
    conn = org.connector(lookback="PT15M")
    _, cursor = drain(conn, None, org.clock.utc())
    for lead in leads:
        store.update("Lead", lead, {"Company": "B"})
    org.clock.advance(60)
    until = org.clock.utc()
    pages = conn.changes(cursor, until)
    assert isinstance(pages, Generator)
    first = [next(pages) for _ in range(2)]  # Account, then Lead
    assert ids(first) == leads
    pages.close()  # the commit of the Lead page failed: the engine asks no further
    again, _ = drain(conn, cursor, until)
    assert ids(again) == leads


def test_a_new_connector_or_a_re_read_from_an_instant_delivers_the_window(org: Org) -> None:
    store = org.app.store
    lead = store.insert("Lead", {"LastName": "L", "Company": "A"})
    org.clock.advance(60)
    conn = org.connector(lookback="PT15M")
    _, cursor = drain(conn, None, org.clock.utc())
    org.clock.advance(60)
    assert ids(drain(conn, cursor, org.clock.utc())[0]) == set()
    # a restarted process has no memory of what it delivered: the window again
    assert ids(drain(org.connector(lookback="PT15M"), cursor, org.clock.utc())[0]) == {lead}
    since = org.clock.utc() - dt.timedelta(minutes=10)
    resent = list(conn.changes(cursor, org.clock.utc(), since=since))
    assert ids(resent) == {lead}


def test_the_memory_is_bounded_and_forgets_what_the_lookback_cannot_reach() -> None:
    memo = Delivered(max_rows=2)
    t0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    rows = [(f"00Q{i}", t0 + dt.timedelta(seconds=i), {"Id": f"00Q{i}", "n": i}) for i in range(3)]
    memo.remember("Lead", rows, since=t0)
    assert len(memo) == 2  # the third is not remembered (and so never dropped)
    assert not memo.is_known("Lead", "00Q2", rows[2][1], rows[2][2])
    assert memo.is_known("Lead", "00Q1", rows[1][1], rows[1][2])
    assert not memo.is_known("Lead", "00Q1", rows[1][1], {"Id": "00Q1", "n": 99})
    memo.prune("Lead", t0 + dt.timedelta(seconds=1))
    assert len(memo) == 1 and not memo.is_known("Lead", "00Q0", rows[0][1], rows[0][2])
    memo.remember("Lead", [("00Q9", t0, {"Id": "00Q9"})], since=t0 + dt.timedelta(seconds=1))
    assert len(memo) == 1  # stamped before what the next lookback reaches
