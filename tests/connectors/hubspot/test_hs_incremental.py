"""Incremental pulls: only changes plus the lookback, index lag, merges, deletions, bad data,
activities, and the budget guard's clean stop."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

import pytest

from connectors.base import JSON, BudgetExhausted, Connector, FatalError, Page
from connectors.hubspot.pull_position import LANES, STAGES
from syncd.sandbox.hubspot import HubSpotSandbox
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, Serve, connect

OLD = int(T0 * 1000) - 86_400_000  # a day before the tests start


def _portal(clock: ManualClock, contacts: int = 30, *, limits: bool = False) -> HubSpotSandbox:
    app = HubSpotSandbox(clock=clock, rate_limits=limits)
    company = app.store.add("companies", {"name": "Acme", "domain": "acme.io"}, created_ms=OLD)
    for i in range(contacts):
        cid = app.store.add(
            "contacts", {"email": f"p{i}@acme.io", "jobtitle": "VP"}, created_ms=OLD + i
        )
        app.store.associate("contacts", cid, "companies", company, primary=True)
        app.store.records["contacts"][cid].properties["associatedcompanyid"] = company
    return app


def _cycle(conn: Connector, cursor: JSON | None, clock: ManualClock) -> tuple[list[Page], JSON]:
    pages = list(conn.changes(cursor, clock.utc()))
    last = pages[-1].cursor
    assert last is not None
    return pages, last


def _ids(pages: list[Page]) -> list[str]:
    return [c.id for p in pages for c in p.contacts]


def test_incremental_reads_only_changes_and_the_lookback(serve: Serve, clock: ManualClock) -> None:
    app = _portal(clock)
    conn = connect(serve(app).url, clock)
    pages, cursor = _cycle(conn, None, clock)
    assert len(_ids(pages)) == 30
    (account,) = [a for p in pages for a in p.accounts]
    assert account.data["domain"] == "acme.io"
    assert {c.account_id for p in pages for c in p.contacts} == {account.id}
    ids = [r.id for r in app.store.live("contacts")]
    clock.advance(3600)
    for cid in ids[:5]:
        app.store.update("contacts", cid, {"jobtitle": "CEO"})
    # modified inside the lookback before the previous high-water mark: read again
    late = int(cursor["since"]) - 60_000
    app.store.update("contacts", ids[5], {"jobtitle": "CFO"}, at_ms=late)
    clock.advance(600)
    app.log.reset()
    pages, cursor = _cycle(conn, cursor, clock)
    changed = _ids(pages)
    assert sorted(changed) == sorted(ids[:6])
    assert all(c.data["properties"]["title"] in ("CEO", "CFO") for p in pages for c in p.contacts)
    searches = app.log.count("POST /crm/objects/2026-09/{object_type}/search")
    assert searches == 7  # companies, contacts, calls, emails, meetings, notes, deals
    print(f"\nincremental: {app.log.count()} calls for {len(changed)} changed contacts")


def test_record_updated_during_the_index_lag_is_read_next_cycle(
    serve: Serve, clock: ManualClock
) -> None:
    app = _portal(clock, contacts=3)
    conn = connect(serve(app).url, clock, safety_lag=timedelta(0))
    _, cursor = _cycle(conn, None, clock)
    target = app.store.live("contacts")[0].id
    clock.advance(60)
    app.store.update("contacts", target, {"jobtitle": "Chief Revenue Officer"})
    clock.advance(1)  # the search index has not caught up yet (3 s)
    pages, cursor = _cycle(conn, cursor, clock)
    assert target not in _ids(pages)
    assert cursor["since"] > app.store.records["contacts"][target].updated_ms  # moved past it
    clock.advance(30)
    pages, _ = _cycle(conn, cursor, clock)
    assert target in _ids(pages)  # the lookback re-reads the lagging window


def test_merges_and_archived_records_leave_state(serve: Serve, clock: ManualClock) -> None:
    app = _portal(clock, contacts=4)
    conn = connect(serve(app).url, clock)
    _, cursor = _cycle(conn, None, clock)
    a, b, c, _ = (r.id for r in app.store.live("contacts"))
    clock.advance(3600)
    new = app.store.merge("contacts", a, b).id
    app.store.archive("contacts", c)
    clock.advance(600)
    pages, _ = _cycle(conn, cursor, clock)
    merged: dict[str, str] = {}
    for page in pages:
        merged.update(page.merged)
    assert merged == {a: new, b: new}
    assert [d for p in pages for d in p.deleted_contacts] == [c]
    assert new in _ids(pages) and a not in _ids(pages) and b not in _ids(pages)


def test_a_merge_just_before_a_full_pull_keeps_the_merged_addresses_old_activities(
    serve: Serve, clock: ManualClock
) -> None:
    """Two contacts merged inside the safety lag before a full pull: the merge product
    is newer than the pull's window and not yet searchable, while the merged records
    left search at once. A full pull lists contacts, so it reads the product with both
    addresses, and the form submissions each address made long ago (read only by a
    full pull) land on it."""
    app = _portal(clock, contacts=2)
    a, b = (r.id for r in app.store.live("contacts"))
    form = app.store.add_form("Pricing")
    for n, address in enumerate(("p0@acme.io", "p1@acme.io")):
        app.store.add_submission(form, OLD + n, {"email": address})
    clock.advance(3600)
    new = app.store.merge("contacts", a, b).id
    clock.advance(1)  # the pull starts a second later: inside the lag and the index lag
    pages = list(connect(serve(app).url, clock).changes(None, clock.utc()))
    assert _ids(pages) == [new]
    submitted = [a.contact_id for p in pages for a in p.activities if a.key.startswith("hs:form")]
    assert submitted == [new, new]


def test_bad_values_are_mapped_with_warnings(
    serve: Serve, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = _portal(clock, contacts=2)
    bad = app.store.add(
        "contacts",
        {"email": "odd@acme.io", "jobtitle": "x" * 100_000, "createdate": "1900-01-01"},
        created_ms=OLD,
    )
    app.store.records["contacts"][bad].properties["createdate"] = "1900-01-01T00:00:00.000Z"
    company = app.store.add("companies", {"name": "Odd", "numberofemployees": "n/a"})
    conn = connect(serve(app).url, clock)
    with caplog.at_level(logging.WARNING, logger="connectors.hubspot"):
        pages, _ = _cycle(conn, None, clock)
    record = next(c for p in pages for c in p.contacts if c.id == bad)
    assert len(record.data["properties"]["title"]) == 2_000
    assert "created_at" not in record.data
    account = next(a for p in pages for a in p.accounts if a.id == company)
    assert "employees" not in account.data["properties"]
    text = " ".join(s.reason for p in pages for s in p.skipped if s.kept)
    assert f"contact {bad}: jobtitle" in text and f"contact {bad}: createdate" in text
    assert f"company {company}: numberofemployees" in text


def test_activities_incremental_skip_filtered_and_fetch_changed_page_views(
    serve: Serve, clock: ManualClock
) -> None:
    app = _portal(clock, contacts=5)
    conn = connect(serve(app).url, clock)
    _, cursor = _cycle(conn, None, clock)
    people = app.store.live("contacts")
    clock.advance(3600)
    now = int(clock() * 1000)
    app.store.add_email_event("OPEN", "p0@acme.io", now - 5000, filtered=True)
    app.store.add_email_event("OPEN", "p1@acme.io", now - 4000, campaign="Nov webinar")
    app.store.add_email_event("DELIVERED", "p1@acme.io", now - 6000)
    app.store.add_page_view(people[2].id, now - 3000, "https://v.io/pricing")
    form = app.store.add_form("Demo request")
    app.store.add_submission(form, now - 2000, {"email": "p3@acme.io"})
    meeting = app.store.add("meetings", {"hs_meeting_title": "Webinar: Nov", "hs_timestamp": now})
    app.store.associate("meetings", meeting, "contacts", people[4].id)
    app.store.associate("meetings", meeting, "contacts", people[0].id)
    clock.advance(600)
    app.log.reset()
    pages, _ = _cycle(conn, cursor, clock)
    acts = sorted((a.contact_id, a.data["type"]) for p in pages for a in p.activities)
    assert acts == sorted(
        [
            (people[1].id, "email_open"),
            (people[2].id, "page_view"),
            (people[3].id, "demo_request"),
            (people[4].id, "webinar_attended"),
            (people[0].id, "webinar_attended"),
        ]
    )
    opened = next(a for p in pages for a in p.activities if a.data["type"] == "email_open")
    assert opened.data["campaign"] == "Nov webinar" and opened.key.startswith("hs:email_event:")
    assert app.log.count("GET /events/event-occurrences/2026-09") == 1  # the visitor only


def test_budget_guard_stops_cleanly_and_the_cursor_resumes(
    serve: Serve, clock: ManualClock
) -> None:
    app = _portal(clock, contacts=450, limits=True)  # 5 list pages of contacts
    app.daily.used = 125_000 - 3  # others spent nearly half of today's 250,000 calls
    conn = connect(serve(app).url, clock, budget_share=0.5)
    pages: list[Page] = []
    with pytest.raises(BudgetExhausted):  # after the page that spent the share
        for page in conn.changes(None, clock.utc()):
            pages.append(page)
    usage = conn.usage()
    assert usage.stop is True and usage.calls_left == 0
    # a full pull's lanes stop after the page each was reading; the meter learns the
    # calls in flight at once from their answers, one report late at most
    assert 3 <= usage.total_calls <= 3 + 2 * len(LANES)
    assert usage.budget_limit == 250_000
    assert usage.budget_remaining is not None and usage.budget_remaining <= 125_000
    cursor = pages[-1].cursor
    assert cursor is not None and cursor["cycle"]["lanes"][0][0] <= 1  # companies or contacts
    app.daily.used = 0  # a new day
    resumed = connect(serve(app).url, clock)
    rest = list(resumed.changes(cursor, clock.utc()))
    seen = Counter(_ids(pages) + _ids(rest))
    assert len(seen) == 450 and set(seen.values()) == {1}
    assert rest[-1].cursor is not None and "cycle" not in rest[-1].cursor


def test_a_full_cycle_cut_short_by_an_older_release_reads_its_stage_anew(
    serve: Serve, clock: ManualClock
) -> None:
    """A full cycle's position from a release that listed engagements holds a list
    endpoint's paging token, not a record id: the stage is read again from its start
    (the engine de-duplicates), never from a token search cannot follow."""
    app = _portal(clock, contacts=3)
    people = [r.id for r in app.store.live("contacts")]
    meetings = []
    for i in range(250):
        meeting = app.store.add(
            "meetings", {"hs_meeting_title": f"m{i}", "hs_timestamp": str(OLD)}, created_ms=OLD + i
        )
        app.store.associate("meetings", meeting, "contacts", people[i % 3])
        meetings.append(meeting)
    conn = connect(serve(app).url, clock)
    hi = int(clock() * 1000) - 120_000
    stage = STAGES.index("meetings")
    cycle = {"hi": hi, "lo": 0, "full": True, "stage": stage, "pos": meetings[120]}  # no "searched"
    pages = list(conn.changes({"v": 1, "since": None, "cycle": cycle}, clock.utc()))
    read = {a.key for p in pages for a in p.activities if a.data["type"] == "meeting"}
    assert read == {f"hs:meetings:{m}" for m in meetings}
    assert all(
        p.cursor is None or "cycle" not in p.cursor or "lanes" in p.cursor["cycle"] for p in pages
    )


def test_a_corrupt_cursor_is_a_clear_fatal_error(serve: Serve, clock: ManualClock) -> None:
    conn = connect(serve(_portal(clock, contacts=1)).url, clock)
    for bad in ({"v": 9}, {"v": 1, "since": "yesterday"}, {"v": 1, "since": 1, "cycle": {}}):
        with pytest.raises(FatalError, match="cursor is unreadable"):
            list(conn.changes(bad, clock.utc()))


def test_engagement_contacts_follow_per_input_association_paging(
    serve: Serve, clock: ManualClock
) -> None:
    app = _portal(clock, contacts=7)
    app.associations_per_input_page = 3
    meeting = app.store.add(
        "meetings", {"hs_meeting_title": "QBR", "hs_timestamp": str(OLD)}, created_ms=OLD
    )
    people = [r.id for r in app.store.live("contacts")]
    for cid in people:
        app.store.associate("meetings", meeting, "contacts", cid)
    conn = connect(serve(app).url, clock)
    batch = "POST /crm/associations/2026-09/{from_type}/{to_type}/batch/read"
    pages, cursor = _cycle(conn, None, clock)  # a full pull: search, then batch reads
    met = sorted(a.contact_id for p in pages for a in p.activities if a.data["type"] == "meeting")
    assert met == sorted(people) and app.log.count(batch) == 3
    app.log.reset()
    clock.advance(600)
    app.store.update("meetings", meeting, {"hs_meeting_title": "QBR 2"})
    clock.advance(600)
    pages, _ = _cycle(conn, cursor, clock)  # incremental: search, then batch reads
    met = sorted(a.contact_id for p in pages for a in p.activities if a.data["type"] == "meeting")
    assert met == sorted(people)
    assert {a.key for p in pages for a in p.activities} == {f"hs:meetings:{meeting}"}
    assert app.log.count(batch) == 3
