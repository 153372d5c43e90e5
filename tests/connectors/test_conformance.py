"""The connector conformance suite: every connector passes the same checks against its
fake (HubSpot, Salesforce, the in-memory CRM of the engine tests, and the toy connector
registered through the registry at test time). A new connector is done when it passes.

Checked: full and incremental pages with JSON cursors, ties on the modification stamp,
cursors that never pass the run's start, deletes and merges, ordered write outcomes
with per-record rejections, rate limits (typed on reads, rate-limited outcomes on
writes), the budget guard's stop (``BudgetExhausted`` after a page, nothing taken on
writes), check and ensure_fields.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.base import (
    JSON,
    BudgetExhausted,
    Connector,
    Page,
    RateLimited,
    WriteOutcome,
)
from tests.connectors.conformance import (
    Harness,
    MemoryHarness,
    hubspot,
    salesforce,
    toy,
    toy_registered,
    update,
)
from tests.kit.writes import written


@pytest.fixture(params=["memory", "toy", "hubspot", "salesforce"])
def h(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    if request.param == "memory":
        yield MemoryHarness()
    elif request.param == "toy":
        with toy_registered(tmp_path) as toy_type:
            yield toy(toy_type)
    elif request.param == "hubspot":
        with hubspot() as harness:
            yield harness
    else:
        with salesforce() as harness:
            yield harness


def _pull(
    conn: Connector, cursor: JSON | None, h: Harness, *, full: bool = False
) -> tuple[list[Page], JSON | None]:
    pages = list(conn.changes(cursor, h.now(), full=full))
    for page in pages:
        assert page.cursor is not None and json.loads(json.dumps(page.cursor)) == page.cursor
    return pages, pages[-1].cursor if pages else cursor


def _ids(pages: list[Page]) -> list[str]:
    return [c.id for p in pages for c in p.contacts]


def test_full_pull_reads_every_contact_once(h: Harness) -> None:
    ids = h.add(7)
    h.settle()
    pages, cursor = _pull(h.connector(), None, h, full=True)
    seen = Counter(_ids(pages))
    assert set(ids) <= set(seen) and all(seen[i] == 1 for i in ids)
    assert cursor is not None


def test_incremental_pull_reads_changes_and_every_tie(h: Harness) -> None:
    ids = h.add(4)
    h.settle()
    conn = h.connector()
    _, cursor = _pull(conn, None, h, full=True)
    more = h.add(8)  # many records sharing one modification stamp, across pages
    h.touch(ids[0])
    h.settle()
    pages, after = _pull(conn, cursor, h)
    assert set(more) | {ids[0]} <= set(_ids(pages))
    h.settle()
    again, _ = _pull(conn, after, h)  # nothing changed since: nothing new is lost
    assert not set(more) - set(_ids(pages) + _ids(again))


def test_cursor_never_passes_the_run_start(h: Harness) -> None:
    ids = h.add(3)
    h.settle()
    conn = h.connector()
    _, cursor = _pull(conn, None, h, full=True)
    h.touch(ids[1])  # changed at the run's start itself
    _pull(conn, cursor, h)  # a run starting now
    h.settle()
    pages, _ = _pull(conn, cursor, h)
    assert ids[1] in _ids(pages)


def test_deletes_and_merges_are_reported(h: Harness) -> None:
    ids = h.add(4)
    h.settle()
    conn = h.connector()
    _, cursor = _pull(conn, None, h, full=True)
    h.settle()
    h.delete(ids[0])
    merged_into = h.merge(ids[1], ids[2])
    h.settle()
    pages, _ = _pull(conn, cursor, h)
    deleted = {d for p in pages for d in p.deleted_contacts}
    merged = {k: v for p in pages for k, v in p.merged.items()}
    assert ids[0] in deleted
    assert merged.get(ids[1]) == merged_into


def test_write_outcomes_follow_the_stream_order_and_reject_per_record(h: Harness) -> None:
    ids = h.add(5)
    h.settle()
    conn = h.connector()
    h.delete(ids[2])
    at = h.now()
    updates = [update(cid, n, at) for n, cid in enumerate(reversed(ids))]
    taken: list[str] = []

    def stream() -> Iterator[object]:
        for u in updates:
            taken.append(u.id)
            yield u

    outcomes: list[WriteOutcome] = []
    for batch in conn.write(stream()):  # type: ignore[arg-type]
        assert batch, "an empty batch of outcomes"
        outcomes.extend(batch)
    assert [o.id for o in outcomes] == [u.id for u in updates] == taken
    by_id = {o.id: o for o in outcomes}
    assert by_id[ids[2]].status == "rejected" and by_id[ids[2]].reason
    assert all(by_id[i].status == "ok" for i in ids if i != ids[2])


def test_rate_limits_are_typed_on_reads_and_rate_limited_on_writes(h: Harness) -> None:
    ids = h.add(3)
    h.settle()
    conn = h.connector()
    h.rate_limit()
    with pytest.raises(RateLimited):
        list(conn.changes(None, h.now(), full=True))
    outcomes = written(conn, [update(cid, 1, h.now()) for cid in ids])
    assert [o.id for o in outcomes] == ids
    assert all(o.status == "retriable" and o.rate_limited for o in outcomes)
    assert conn.usage().http_429 > 0


def test_budget_guard_stops_after_a_page_and_takes_no_writes(h: Harness) -> None:
    ids = h.add(9)
    h.settle()
    conn = h.connector()
    h.spend_budget(2)
    pages: list[Page] = []
    with pytest.raises(BudgetExhausted):
        for page in conn.changes(None, h.now(), full=True):
            pages.append(page)
    assert pages and pages[-1].cursor is not None
    assert conn.usage().stop
    taken: list[str] = []

    def stream() -> Iterator[object]:
        for cid in ids:
            taken.append(cid)
            yield update(cid, 1, h.now())

    with pytest.raises(BudgetExhausted):
        for _ in conn.write(stream()):  # type: ignore[arg-type]
            pass
    assert taken == []


def test_check_and_ensure_fields(h: Harness) -> None:
    conn = h.connector()
    assert conn.ensure_fields(create=True).ok
    report = conn.ensure_fields(create=False)
    assert report.ok and report.present and not report.missing
    items = conn.check()
    assert items and all(i.ok for i in items), [(i.name, i.detail) for i in items]
