"""SOQL through simple-salesforce: paging, queryAll, relationships, each construct, errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
from simple_salesforce.exceptions import SalesforceMalformedRequest

from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.salesforce import SalesforceClient, errors_of

UTC = dt.UTC


@pytest.fixture()
def org(app: SalesforceSandbox) -> dict[str, str]:
    store = app.store
    acme = store.insert("Account", {"Name": "Acme", "Industry": "Software"})
    globex = store.insert("Account", {"Name": "Globex", "Industry": None})
    people = [
        ("Ann", "Able", "ann@acme.com", acme, "VP Sales", dt.datetime(2026, 1, 5, 9, tzinfo=UTC)),
        ("Bob", "Baker", "bob@acme.com", acme, None, dt.datetime(2026, 2, 5, 9, tzinfo=UTC)),
        ("Cy", "O'Neil", "cy@globex.com", globex, "CTO", dt.datetime(2026, 3, 5, 9, tzinfo=UTC)),
        ("Di", "Dunn", "di_x@free.com", None, "Intern", dt.datetime(2026, 4, 5, 9, tzinfo=UTC)),
    ]
    ids = {"acme": acme, "globex": globex}
    for first, last, email, account, title, created in people:
        ids[first] = store.insert(
            "Contact",
            {
                "FirstName": first,
                "LastName": last,
                "Email": email,
                "AccountId": account,
                "Title": title,
                "CreatedDate": created,
            },
        )
    ids["task"] = store.insert("Task", {"Subject": "Call", "WhoId": ids["Ann"], "Type": "Call"})
    return ids


def names(sf: SalesforceClient, where: str, order: str = "LastName") -> list[str]:
    result = sf.query(f"SELECT FirstName FROM Contact WHERE {where} ORDER BY {order}")
    return [r["FirstName"] for r in result["records"]]


def test_paging_to_the_end_returns_every_row_once(
    app: SalesforceSandbox, sf: SalesforceClient
) -> None:
    for i in range(4100):
        app.store.insert("Lead", {"LastName": f"L{i}", "Company": "C"})
    first = sf.query("SELECT Id FROM Lead")
    assert first["totalSize"] == 4100 and not first["done"] and len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v66.0/query/01g")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 2000 and not second["done"]
    everything = sf.query_all("SELECT Id FROM Lead")["records"]
    ids = [r["Id"] for r in everything]
    assert len(ids) == len(set(ids)) == 4100


def test_batch_size_header_is_respected(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    for i in range(450):
        app.store.insert("Lead", {"LastName": f"L{i}", "Company": "C"})
    page = sf.query("SELECT Id FROM Lead", headers={"Sforce-Query-Options": "batchSize=200"})
    assert len(page["records"]) == 200 and page["totalSize"] == 450
    tiny = sf.query("SELECT Id FROM Lead", headers={"Sforce-Query-Options": "batchSize=5"})
    assert len(tiny["records"]) == 200  # clamped to the minimum


def test_query_all_sees_deleted_rows(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    keep = app.store.insert("Lead", {"LastName": "Keep", "Company": "C"})
    gone = app.store.insert("Lead", {"LastName": "Gone", "Company": "C"})
    app.store.delete("Lead", gone)
    assert [r["Id"] for r in sf.query("SELECT Id FROM Lead")["records"]] == [keep]
    rows = sf.query_all("SELECT Id, IsDeleted FROM Lead", include_deleted=True)["records"]
    assert {(r["Id"], r["IsDeleted"]) for r in rows} == {(keep, False), (gone, True)}


def test_relationship_fields_are_nested(sf: SalesforceClient, org: dict[str, str]) -> None:
    rows = sf.query(
        "SELECT Id, Account.Name, Account.Industry, Owner.Name FROM Contact ORDER BY LastName"
    )["records"]
    assert rows[0]["Account"]["Name"] == "Acme"
    assert rows[0]["Account"]["attributes"]["type"] == "Account"
    assert rows[0]["Account"]["attributes"]["url"].endswith(org["acme"])
    assert rows[0]["Owner"]["Name"] == "Syncd Integration"
    assert rows[2]["Account"] is None  # Di Dunn has no account
    task = sf.query("SELECT Who.Email, Who.Name FROM Task")["records"][0]
    assert task["Who"]["Email"] == "ann@acme.com" and task["Who"]["Name"] == "Ann Able"
    assert names(sf, "Account.Name = 'Acme'") == ["Ann", "Bob"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("LastName = 'able'", ["Ann"]),  # case-insensitive
        ("LastName != 'Able'", ["Bob", "Di", "Cy"]),
        ("LastName = 'O\\'Neil'", ["Cy"]),
        ("Title = null", ["Bob"]),
        ("Title != null AND Email LIKE '%acme%'", ["Ann"]),
        ("Email LIKE 'di\\_%'", ["Di"]),
        ("Email LIKE '_ob@%'", ["Bob"]),
        ("FirstName IN ('Ann', 'Cy')", ["Ann", "Cy"]),
        ("FirstName NOT IN ('Ann', 'Cy')", ["Bob", "Di"]),
        ("NOT FirstName = 'Ann'", ["Bob", "Di", "Cy"]),
        ("(FirstName = 'Ann' OR FirstName = 'Bob') AND Title != null", ["Ann"]),
        ("FirstName = 'Ann' OR (FirstName = 'Di' AND Email LIKE '%free%')", ["Ann", "Di"]),
        ("NOT (FirstName = 'Ann' OR FirstName = 'Bob')", ["Di", "Cy"]),
        ("CreatedDate > 2026-02-05T09:00:00Z", ["Di", "Cy"]),
        ("CreatedDate >= 2026-02-05T09:00:00Z", ["Bob", "Di", "Cy"]),
        ("CreatedDate < 2026-02-05T10:00:00+02:00", ["Ann"]),
        ("CreatedDate <= 2026-01-05T09:00:00.000Z", ["Ann"]),
        ("Account.Industry = null AND AccountId != null", ["Cy"]),
    ],
)
def test_where_constructs(
    sf: SalesforceClient, org: dict[str, str], where: str, expected: list[str]
) -> None:
    assert names(sf, where) == expected


def test_typed_literals_order_limit_offset(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    for i, (emp, converted, day) in enumerate([(10, False, 1), (500, True, 2), (None, False, 3)]):
        app.store.insert(
            "Lead",
            {
                "LastName": f"L{i}",
                "Company": "C",
                "NumberOfEmployees": emp,
                "IsConverted": converted,
                "ConvertedDate": dt.date(2026, 5, day),
            },
        )

    def q(soql: str) -> list[str]:
        return [r["LastName"] for r in sf.query(soql)["records"]]

    assert q("SELECT LastName FROM Lead WHERE NumberOfEmployees > 99.5") == ["L1"]
    assert q("SELECT LastName FROM Lead WHERE IsConverted = TRUE") == ["L1"]
    assert q("SELECT LastName FROM Lead WHERE ConvertedDate >= 2026-05-02") == ["L1", "L2"]
    base = "SELECT LastName FROM Lead ORDER BY NumberOfEmployees"
    assert q(base) == ["L2", "L0", "L1"]  # nulls first ascending
    assert q(base + " DESC") == ["L1", "L0", "L2"]  # nulls last descending
    assert q(base + " ASC NULLS LAST") == ["L0", "L1", "L2"]
    assert q(base + " DESC NULLS FIRST, LastName DESC") == ["L2", "L1", "L0"]
    assert q(base + " NULLS LAST LIMIT 2 OFFSET 1") == ["L1", "L2"]
    assert sf.query("SELECT COUNT() FROM Lead WHERE IsConverted = false")["totalSize"] == 2


@pytest.mark.parametrize(
    ("soql", "code", "fragment"),
    [
        ("SELECT Id FROM", "MALFORMED_QUERY", "unexpected token"),
        ("SELECT Id Lead", "MALFORMED_QUERY", "ERROR at Row:1:Column:"),
        ("SELECT Id FROM Lead WHERE A = 1 AND B = 2 OR C = 3", "MALFORMED_QUERY", "'OR'"),
        ("SELECT Id FROM Lead WHERE Email = 'unterminated", "MALFORMED_QUERY", "Column"),
        ("SELECT Nope__c FROM Lead", "INVALID_FIELD", "No such column 'Nope__c' on entity 'Lead'"),
        ("SELECT Foo.Name FROM Lead", "INVALID_FIELD", "Didn't understand relationship 'Foo'"),
        ("SELECT Id FROM Widget", "INVALID_TYPE", "sObject type 'Widget' is not supported"),
        ("SELECT Id FROM Lead WHERE CreatedDate > '2026-01-01'", "INVALID_FIELD", "dateTime"),
        ("SELECT Id FROM Lead WHERE Email = 5", "INVALID_FIELD", "enclosed in quotes"),
    ],
)
def test_bad_soql_raises_malformed_request(
    sf: SalesforceClient, soql: str, code: str, fragment: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query(soql)
    error: dict[str, Any] = errors_of(info.value)[0]
    assert error["errorCode"] == code
    assert fragment in error["message"]


def test_invalid_locator(sf: SalesforceClient) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query_more("01gNOPE-2000")
    assert errors_of(info.value)[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_stats_count_requests(server: SandboxServer, sf: SalesforceClient) -> None:
    sf.query("SELECT Id FROM User")
    stats = requests.get(f"{server.url}/__sandbox/stats", timeout=5).json()
    assert stats["by_endpoint"]["GET /services/data/v66.0/query"] == 1
