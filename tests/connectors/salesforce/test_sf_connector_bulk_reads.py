"""Bulk API 2.0 reads: no ORDER BY sent, unordered pages read exactly once."""

from __future__ import annotations

import json

from simple_salesforce.bulk2 import Operation

from connectors.base import Page
from tests.kit.salesforce_connector import Org

BULK_OPTIONS = {"bulk_read_threshold": 100, "bulk_page_records": 250}


def _bulk_queries(org: Org) -> list[str]:
    return [
        str(json.loads(r.body)["query"])
        for r in org.app.log.requests()
        if r.method == "POST" and r.template.endswith("/jobs/query")
    ]


def _storm(org: Org) -> set[str]:
    store = org.app.store
    ids = {store.insert("Contact", {"LastName": f"C{i}"}) for i in range(3000)}
    assert len({r["SystemModstamp"] for r in store.records("Contact")}) == 1
    org.clock.advance(2)
    return ids


def _contact_pages(pages: list[Page]) -> list[Page]:
    return [p for p in pages if p.contacts]


def test_bulk_query_carries_no_order_by_and_the_rest_query_does(org: Org) -> None:
    _storm(org)
    conn = org.connector(**BULK_OPTIONS)
    list(conn.changes(None, org.clock.utc()))
    bulk = _bulk_queries(org)
    assert bulk and all("ORDER BY" not in q.upper() for q in bulk)
    assert org.app.jobs.ordered_queries == []
    rest = [str(r.query.get("q", [""])[0]) for r in org.app.log.requests() if "q" in r.query]
    assert any("FROM Contact" in q and "ORDER BY SystemModstamp, Id" in q for q in rest)


def test_fake_returns_bulk_rows_unordered_and_records_order_by(org: Org) -> None:
    _storm(org)
    conn = org.connector(**BULK_OPTIONS)
    contact = _contact_pages(list(conn.changes(None, org.clock.utc())))
    bulk_ids = [c.id for p in contact[1:] for c in p.contacts]
    # each page is sorted by the connector; pages themselves come in no order
    firsts = [p.contacts[0].id for p in contact[1:]]
    assert firsts != sorted(firsts) or bulk_ids != sorted(bulk_ids)
    conn.client.bulk_step(
        "t",
        lambda b: b.create_job(
            Operation.query, query="SELECT Id FROM Contact ORDER BY SystemModstamp"
        ),
        "Contact",
    )
    assert org.app.jobs.ordered_queries == ["SELECT Id FROM Contact ORDER BY SystemModstamp"]


def test_one_second_storm_across_bulk_pages_is_read_exactly_once(org: Org) -> None:
    ids = _storm(org)
    until = org.clock.utc()
    conn = org.connector(**BULK_OPTIONS)
    contact = _contact_pages(list(conn.changes(None, until)))
    read = [c.id for p in contact for c in p.contacts]
    assert len(read) == 3000 and set(read) == ids
    assert len(contact) == 1 + 4  # one REST page of 2,000, then 1,000 rows in Bulk pages of 250
    rest_tail = contact[0].cursor
    assert rest_tail is not None
    # unordered Bulk pages never move the cursor; the last one closes the window
    assert all(p.cursor == rest_tail for p in contact[1:-1])
    final = contact[-1].cursor
    assert final is not None
    assert final["streams"]["Contact"] == [until.strftime("%Y-%m-%dT%H:%M:%SZ"), ""]
    again = [c.id for p in conn.changes(final, until) for c in p.contacts]
    assert again == []


def test_a_pull_cut_short_in_the_bulk_pages_resumes_without_losing_a_row(org: Org) -> None:
    ids = _storm(org)
    until = org.clock.utc()
    conn = org.connector(**BULK_OPTIONS)
    pages = _contact_pages(list(conn.changes(None, until)))
    rest_ids = {c.id for c in pages[0].contacts}
    committed = {c.id for p in pages[:3] for c in p.contacts}  # REST + two Bulk pages
    cursor = pages[2].cursor  # the pull stops after the second Bulk page was committed
    assert cursor is not None and len(committed) == 2500
    resumed = [c.id for p in conn.changes(cursor, until) for c in p.contacts]
    assert len(resumed) == len(set(resumed))  # read once within the resumed pull
    assert committed | set(resumed) == ids  # none lost
    assert set(resumed) == ids - rest_ids  # the Bulk window is re-read, the REST rows are not
