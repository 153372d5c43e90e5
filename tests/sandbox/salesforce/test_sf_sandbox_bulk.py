"""Bulk API 2.0 through simple-salesforce's `sf.bulk2`."""

from __future__ import annotations

import csv
import io

import pytest
from simple_salesforce.exceptions import SalesforceOperationError

from syncd.sandbox.salesforce import SalesforceSandbox
from tests.kit.salesforce import SalesforceClient


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_bulk_query_pages_with_locator(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    account = app.store.insert("Account", {"Name": "Acme"})
    for i in range(25):
        app.store.insert("Contact", {"LastName": f"C{i:02d}", "AccountId": account})
    pages = list(
        sf.bulk2.Contact.query(
            "SELECT Id, LastName, Account.Name FROM Contact ORDER BY LastName",
            max_records=10,
            wait=0,
        )
    )
    assert len(pages) == 3
    rows = [row for page in pages for row in parse(str(page))]
    assert [r["LastName"] for r in rows] == [f"C{i:02d}" for i in range(25)]
    assert rows[0]["Account.Name"] == "Acme"


def test_bulk_ingest_round_trip_with_failures(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    ids = [app.store.insert("Lead", {"LastName": f"L{i}", "Company": "C"}) for i in range(3)]
    app.store.delete("Lead", ids[2])
    records = [
        {"Id": ids[0], "Title": "CEO"},
        {"Id": ids[1], "Title": "CTO"},
        {"Id": ids[2], "Title": "CFO"},
    ]
    (result,) = sf.bulk2.Lead.update(records=records, wait=0)
    assert result["numberRecordsProcessed"] == 3 and result["numberRecordsFailed"] == 1
    assert app.store.get("Lead", ids[0])["Title"] == "CEO"  # type: ignore[index]
    ok = parse(sf.bulk2.Lead.get_successful_records(result["job_id"]))
    assert [r["sf__Id"] for r in ok] == ids[:2] and ok[0]["Title"] == "CEO"
    failed = parse(sf.bulk2.Lead.get_failed_records(result["job_id"]))
    assert failed[0]["sf__Id"] == ids[2] and failed[0]["sf__Error"].startswith("ENTITY_IS_DELETED")
    assert failed[0]["Title"] == "CFO"
    assert parse(sf.bulk2.Lead.get_unprocessed_records(result["job_id"])) == []


def test_bulk_ingest_insert_and_unknown_column(
    app: SalesforceSandbox, sf: SalesforceClient
) -> None:
    (result,) = sf.bulk2.Lead.insert(
        records=[{"LastName": "New", "Company": "C", "Email": "n@c.com"}], wait=0
    )
    assert result["numberRecordsFailed"] == 0
    assert sf.query("SELECT Email FROM Lead")["records"][0]["Email"] == "n@c.com"
    with pytest.raises(SalesforceOperationError):
        sf.bulk2.Lead.update(records=[{"Id": "00Q8d0000000001AAA", "Bogus__c": "1"}], wait=0)
