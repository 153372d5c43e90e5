"""Score write-back: Collections batches, Bulk ingest above the threshold, per-record outcomes."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import math
from collections.abc import Iterator

import pytest

from connectors.base import (
    AccountUpdate,
    BudgetExhausted,
    ContactRecord,
    ContactUpdate,
    Page,
    WriteOutcome,
    WrittenValues,
)
from connectors.salesforce import ingest, writes
from connectors.salesforce.client import ATTEMPTS
from tests.kit.salesforce_connector import Org, create_fields, drain
from tests.kit.writes import written

COLLECTIONS = "PATCH /services/data/v66.0/composite/sobjects"


def _update(record_id: str, kind: str, score: int, at: dt.datetime) -> ContactUpdate:
    return ContactUpdate(
        id=record_id,
        kind=kind,
        score=score,
        tier="mql" if score >= 50 else "nurture",
        reasons=f'title.exec +20; it\'s "quoted", {score}',
        priority=score > 70,
        scored_at=at,
        mql_at=at if score >= 50 else None,
    )


def _diff(records: list[ContactRecord], wanted: dict[str, ContactUpdate]) -> list[ContactUpdate]:
    """What an engine would still write: the values read back differ from the wanted ones."""
    out = []
    for record in records:
        want = wanted[record.id]
        have = WrittenValues(want.score, want.tier, want.reasons, want.priority)
        if record.crm_values != have:
            out.append(want)
    return out


def test_n_changed_scores_take_ceil_n_over_200_calls_and_none_again(org: Org) -> None:
    create_fields(org)
    store = org.app.store
    n = 450
    ids = [store.insert("Lead", {"LastName": f"L{i}", "Company": "C"}) for i in range(n)]
    now = org.clock.utc()
    updates = [_update(i, "lead", k % 100, now) for k, i in enumerate(ids)]
    conn = org.connector()
    before = org.requests(COLLECTIONS)
    outcomes = written(conn, updates)
    calls = org.requests(COLLECTIONS) - before
    print(
        f"\nwrite {n} scores: {calls} collection calls (minimum ⌈{n}/200⌉ = {math.ceil(n / 200)})"
    )
    assert calls == math.ceil(n / 200)
    assert [o.id for o in outcomes] == ids and {o.status for o in outcomes} == {"ok"}
    lead = store.get("Lead", ids[99])
    assert lead is not None and lead["Syncd_Score__c"] == 99 and lead["Syncd_Priority__c"] is True
    assert lead["Syncd_Reasons__c"] == updates[99].reasons
    # our own writes bump SystemModstamp: the next cycle re-reads them and writes nothing
    org.clock.advance(5)
    pages, _ = drain(conn, None, org.clock.utc())
    again = _diff([c for p in pages for c in p.contacts], {u.id: u for u in updates})
    before = org.requests(COLLECTIONS)
    assert written(conn, again) == []
    assert again == [] and org.requests(COLLECTIONS) == before


def test_per_record_failures_are_reported_individually(org: Org) -> None:
    create_fields(org)
    store = org.app.store
    now = org.clock.utc()
    ok = store.insert("Contact", {"LastName": "Ok"})
    contact = store.insert("Contact", {"LastName": "Target"})
    converted = store.insert(
        "Lead",
        {"LastName": "Conv", "Company": "C", "IsConverted": True, "ConvertedContactId": contact},
    )
    deleted = store.insert("Lead", {"LastName": "Gone", "Company": "C"})
    store.delete("Lead", deleted)
    account = store.insert("Account", {"Name": "Acme"})
    updates: list[ContactUpdate | AccountUpdate] = [
        _update(ok, "contact", 10, now),
        _update(converted, "lead", 20, now),
        _update(deleted, "lead", 30, now),
        _update(ok, "opportunity", 40, now),
        AccountUpdate(account, 77, "3 engaged stakeholders"),
    ]
    outcomes = written(org.connector(), updates)
    assert [o.status for o in outcomes] == ["ok", "rejected", "rejected", "rejected", "ok"]
    assert "CANNOT_UPDATE_CONVERTED_LEAD" in outcomes[1].reason
    assert "ENTITY_IS_DELETED" in outcomes[2].reason
    assert "unknown record kind" in outcomes[3].reason
    saved = store.get("Account", account)
    assert saved is not None and saved["Syncd_Account_Score__c"] == 77


def test_locked_rows_are_resubmitted_then_left_retriable(org: Org) -> None:
    create_fields(org)
    ids = [org.app.store.insert("Contact", {"LastName": f"C{i}"}) for i in range(6)]
    org.app.faults.update(partial_rate=1.0)  # the first record of every call stays locked
    before = org.requests(COLLECTIONS)
    outcomes = written(org.connector(), [_update(i, "contact", 5, org.clock.utc()) for i in ids])
    assert [o.status for o in outcomes] == ["retriable"] + ["ok"] * 5
    assert "UNABLE_TO_LOCK_ROW" in outcomes[0].reason and not outcomes[0].rate_limited
    assert org.requests(COLLECTIONS) - before == ATTEMPTS  # 6, then [0, 3], then [0] x3
    assert len(org.clock.sleeps) == ATTEMPTS - 1  # jittered exponential backoff


def test_bulk_ingest_above_threshold_matches_results_by_id(org: Org) -> None:
    create_fields(org)
    store = org.app.store
    ids = [store.insert("Contact", {"LastName": f"C{i}"}) for i in range(150)]
    store.delete("Contact", ids[7])
    now = org.clock.utc()
    updates = [_update(i, "contact", k % 90, now) for k, i in enumerate(ids)]
    before = org.requests(COLLECTIONS)
    conn = org.connector(bulk_write_threshold=100)
    outcomes = written(conn, updates)
    assert org.requests(COLLECTIONS) == before
    assert org.requests("POST /services/data/v66.0/jobs/ingest") == 1
    assert [o.id for o in outcomes] == ids
    assert outcomes[7].status == "rejected" and "ENTITY_IS_DELETED" in outcomes[7].reason
    assert all(o.status == "ok" for k, o in enumerate(outcomes) if k != 7)
    saved = store.get("Contact", ids[42])
    assert saved is not None and saved["Syncd_Score__c"] == 42
    assert saved["Syncd_MQL_At__c"] is None  # "#N/A" clears a field


def test_budget_guard_stops_writes_and_reads_cleanly(org: Org) -> None:
    create_fields(org)
    store = org.app.store
    ids = [store.insert("Contact", {"LastName": f"C{i}"}) for i in range(400)]
    org.clock.advance(5)
    used = org.app.api_usage.used
    org.app.api_usage.limit = int((used + 4) / 0.8) + 1  # the 80% share is reached after ~4 calls
    conn = org.connector()
    pages: list[Page] = []
    with pytest.raises(BudgetExhausted):
        for page in conn.changes(None, org.clock.utc()):
            pages.append(page)
    assert conn.usage().stop is True
    assert pages and pages[-1].cursor is not None  # stopped after a page, with its cursor
    outcomes: list[WriteOutcome] = []
    with pytest.raises(BudgetExhausted):
        for batch in conn.write(_update(i, "contact", 1, org.clock.utc()) for i in ids):
            outcomes.extend(batch)
    assert outcomes == []  # spent before the first batch: nothing taken, nothing sent
    usage = conn.usage()
    assert usage.calls_left == 0 and usage.budget_limit == org.app.api_usage.limit


def test_interleaved_leads_contacts_and_accounts_go_in_one_call(org: Org) -> None:
    """Records are sent grouped by type (Salesforce allows 10 chunks a request);
    outcomes still follow the updates' order."""
    create_fields(org)
    store = org.app.store
    now = org.clock.utc()
    updates: list[ContactUpdate | AccountUpdate] = []
    for i in range(8):
        updates.append(
            _update(
                store.insert("Lead", {"LastName": f"L{i}", "Company": "C"}), "lead", 10 + i, now
            )
        )
        updates.append(
            _update(store.insert("Contact", {"LastName": f"C{i}"}), "contact", 60 + i, now)
        )
        updates.append(AccountUpdate(store.insert("Account", {"Name": f"A{i}"}), 30 + i, "s"))
    updates.insert(5, _update("00Q000000000000AAA", "lead", 1, now))  # refused: no such lead
    org.app.log.reset()
    outcomes = written(org.connector(), updates)
    assert org.requests(COLLECTIONS) == 1
    assert [o.id for o in outcomes] == [u.id for u in updates]
    assert [o.status for o in outcomes] == [
        "rejected" if n == 5 else "ok" for n in range(len(updates))
    ]
    for u in updates:
        if isinstance(u, AccountUpdate):
            assert store.get("Account", u.id)["Syncd_Account_Score__c"] == u.score  # type: ignore[index]
        elif u.id != "00Q000000000000AAA":
            sobject = "Lead" if u.kind == "lead" else "Contact"
            assert store.get(sobject, u.id)["Syncd_Score__c"] == u.score  # type: ignore[index]


def test_bulk_ingest_round_trips_line_breaks_and_reports_failures_by_id(org: Org) -> None:
    """The job's CSV goes up from a file and its result files are read as streams:
    cells with line breaks, quotes and non-ASCII text survive both ways, and a
    failed record's error is matched by Id whatever the result files' order."""
    create_fields(org)
    store = org.app.store
    ids = [store.insert("Lead", {"LastName": f"L{i}", "Company": "C"}) for i in range(120)]
    for gone in (ids[3], ids[100]):
        store.delete("Lead", gone)
    now = org.clock.utc()
    updates = [
        dataclasses.replace(
            _update(i, "lead", k % 100, now), reasons=f'Müller, "VP"\nline two; {k} — ok'
        )
        for k, i in enumerate(ids)
    ]
    outcomes = written(org.connector(bulk_write_threshold=100), updates)
    assert org.requests("POST /services/data/v66.0/jobs/ingest") == 1
    assert [o.id for o in outcomes] == ids
    failed = {k for k, o in enumerate(outcomes) if o.status != "ok"}
    assert failed == {3, 100}
    assert all("ENTITY_IS_DELETED" in outcomes[k].reason for k in failed)
    saved = store.get("Lead", ids[57])
    assert saved is not None and saved["Syncd_Reasons__c"] == updates[57].reasons


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_result_lines_survive_any_chunking(size: int) -> None:
    text = 'sf__Id,sf__Error,Reasons\r\n00Q1,"X: a\nb",é—ü\n00Q2,,"z, ""q"""\nlast'
    data = text.encode("utf-8")
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    assert "".join(ingest.lines(chunks)) == text
    rows = list(csv.reader(ingest.lines(chunks)))
    assert rows[1] == ["00Q1", "X: a\nb", "é—ü"] and rows[2] == ["00Q2", "", 'z, "q"']


def test_a_bulk_job_leaves_once_it_holds_job_records_updates(org: Org) -> None:
    """Memory bound of the Bulk path: a job is sent as soon as it holds
    ``JOB_RECORDS`` updates of one object, before the stream goes on."""
    create_fields(org)
    store = org.app.store
    n = writes.JOB_RECORDS + 50
    ids = [store.insert("Contact", {"LastName": f"C{i}"}) for i in range(n)]
    now = org.clock.utc()
    jobs = "POST /services/data/v66.0/jobs/ingest"
    seen: list[int] = []

    def stream() -> Iterator[ContactUpdate]:
        for k, record_id in enumerate(ids):
            if k == writes.JOB_RECORDS:
                seen.append(org.requests(jobs))
            yield _update(record_id, "contact", k % 100, now)

    outcomes = written(org.connector(bulk_write_threshold=100), stream())
    assert seen == [1]  # the first job went out before the stream's next update
    assert org.requests(jobs) == 2
    assert [o.id for o in outcomes] == ids and all(o.status == "ok" for o in outcomes)
