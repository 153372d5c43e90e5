"""Malformed records from the org (planted in the fake past its type checks) are
skipped one by one with the record and the field named; the pull goes on."""

from __future__ import annotations

import datetime as dt

from connectors.base import Page, SkippedRecord
from connectors.salesforce import mapping
from tests.kit.salesforce_connector import Org, create_fields


def _skipped(pages: list[Page]) -> dict[str, SkippedRecord]:
    return {s.record_id: s for p in pages for s in p.skipped}


def test_malformed_people_accounts_and_activities_are_skipped_by_name(org: Org) -> None:
    create_fields(org)
    store = org.app.store
    good = store.insert("Contact", {"LastName": "Good", "Title": "VP Sales"})
    nested = store.insert("Contact", {"LastName": "Nested", "Title": "CEO"})
    dated = store.insert("Lead", {"LastName": "Dated", "Company": "Acme"})
    listed = store.insert("Account", {"Name": "Listed"})
    task = store.insert("Task", {"Subject": "Call", "TaskSubtype": "Call", "WhoId": good})
    org.clock.advance(1)
    store.plant("Contact", nested, {"Title": ["CEO", "CTO"]})
    store.plant("Lead", dated, {"CreatedDate": "the day before yesterday"})
    store.plant("Account", listed, {"Industry": ["Technology", "Retail"]})
    store.plant("Task", task, {"ActivityDate": None, "CreatedDate": None})
    org.clock.advance(2)

    conn = org.connector()
    pages = list(conn.changes(None, org.clock.utc()))
    conn.close()

    skipped = _skipped(pages)
    assert skipped[nested].kind == "contact"
    assert skipped[nested].reason == "field Title: a list where a single value belongs"
    assert skipped[dated].kind == "lead"
    assert "field CreatedDate: 'the day before yesterday' is not a date-time" in (
        skipped[dated].reason
    )
    assert skipped[listed].reason == "field Industry: a list where a single value belongs"
    assert skipped[task].kind == "task" and "ActivityDate" in skipped[task].reason
    contacts = {c.id for p in pages for c in p.contacts}
    assert good in contacts and nested not in contacts and dated not in contacts


def test_mapping_never_raises_for_bad_values() -> None:
    assert mapping.number("inf") is None and mapping.number("nan") is None
    assert mapping.parse_time("0001-01-01T00:00:00+05:00") is None
    assert mapping.parse_time("2026-13-45") is None
    stamp = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert mapping.parse_time("2026-01-02T03:04:05.000+0000") == stamp


def test_a_record_whose_data_trips_the_mapping_is_skipped_not_raised() -> None:
    def broken(row: mapping.Flat) -> str:
        return str(int(row["NumberOfEmployees"]))

    found = mapping.safely("lead", {"Id": "00Q1", "NumberOfEmployees": "many"}, broken)
    assert isinstance(found, SkippedRecord)
    assert found.record_id == "00Q1" and "ValueError" in found.reason
