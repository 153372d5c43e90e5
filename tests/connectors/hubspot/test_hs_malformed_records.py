"""Malformed records from the portal (planted in the fake as a broken proxy would serve
them) never fail the pull: each bad value is dropped, reported as a skipped value of a
kept record (the engine logs and counts it) naming the record and the field; an
engagement without a usable date is left out, with a warning."""

from __future__ import annotations

import logging

import pytest

from connectors.hubspot.config import HubSpotFieldNames
from connectors.hubspot.mapping import map_company, map_contact, merged_ids, parse_time
from syncd.sandbox.hubspot import HubSpotSandbox
from tests.kit.clock import ManualClock
from tests.kit.hubspot import Serve, connect


def test_a_pull_goes_on_past_malformed_records(
    serve: Serve, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = HubSpotSandbox(clock=clock)
    store = app.store
    company = store.add("companies", {"name": "Acme", "domain": "acme.io"})
    good = store.add("contacts", {"email": "good@acme.io", "jobtitle": "CEO"})
    bad = store.add("contacts", {"email": "bad@acme.io", "jobtitle": "CTO"})
    call = store.add("calls", {"hs_call_title": "Intro"})
    store.associate("calls", call, "contacts", bad)
    clock.advance(10)
    store.plant(
        "contacts", bad, {"jobtitle": 42, "createdate": "someday", "associatedcompanyid": [company]}
    )
    store.plant("companies", company, {"numberofemployees": "lots"})
    store.plant("calls", call, {"hs_timestamp": "never", "hs_createdate": None, "createdate": None})
    clock.advance(300)  # past the safety lag: a full pull reads up to the run's start minus it

    conn = connect(serve(app).url, clock)
    with caplog.at_level(logging.WARNING, logger="connectors.hubspot"):
        pages = list(conn.changes(None, clock.utc(), full=True))
    conn.close()

    contacts = {c.id: c for p in pages for c in p.contacts}
    assert set(contacts) == {good, bad}
    assert contacts[good].data["properties"]["title"] == "CEO"
    assert "title" not in contacts[bad].data["properties"]
    assert "created_at" not in contacts[bad].data and contacts[bad].account_id is None
    accounts = {a.id: a for p in pages for a in p.accounts}
    assert "employees" not in accounts[company].data["properties"]
    assert not any(a.key == f"hs:calls:{call}" for p in pages for a in p.activities)
    dropped = [s for p in pages for s in p.skipped]
    assert all(s.kept for s in dropped)  # counted by the engine, the records stay
    assert {(s.record_id, s.kind) for s in dropped} == {(bad, "contact"), (company, "company")}
    lines = [s.reason for s in dropped] + [r.getMessage() for r in caplog.records]
    assert f"contact {bad}: jobtitle: a int where HubSpot sends a string, ignored" in lines
    assert any(line.startswith(f"contact {bad}: createdate: not a date-time") for line in lines)
    assert any(
        line.startswith(f"company {company}: numberofemployees: not a number") for line in lines
    )
    assert any(line.startswith(f"calls {call} skipped: hs_timestamp") for line in lines)


def test_mapping_never_raises_for_values_of_the_wrong_type() -> None:
    fields = HubSpotFieldNames()
    odd: dict[str, object] = {
        "email": 5,
        "createdate": 1.5,
        "lastmodifieddate": ["x"],
        "associatedcompanyid": {"id": 1},
        fields.score: 7,
        fields.tier: 3,
        fields.priority: True,
        "hs_merged_object_ids": 9,
    }
    mapped = map_contact("1", odd, {"title": "jobtitle"}, fields)  # type: ignore[arg-type]
    assert mapped.record.data == {"id": "1", "properties": {}}
    assert len(mapped.warnings) >= 5
    assert map_company("2", odd, {}, fields).record.data["id"] == "2"  # type: ignore[arg-type]
    assert merged_ids(odd) == []  # type: ignore[arg-type]
    assert parse_time(12) is None  # type: ignore[arg-type]
