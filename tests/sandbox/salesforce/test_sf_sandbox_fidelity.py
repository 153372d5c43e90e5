"""Fidelity fixes from the conformance run: behaviour a real org has that the fake copies."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import jwt
import pytest
import requests
from simple_salesforce.exceptions import SalesforceError, SalesforceMalformedRequest

from syncd.sandbox.salesforce import SalesforceSandbox, loopback_session
from syncd.sandbox.server import SandboxServer
from tests.kit.salesforce import SalesforceClient, errors_of, grant
from tests.kit.salesforce_connector import new_key_pair

UTC = dt.UTC


def _error_code(exc: SalesforceError) -> str:
    return str(errors_of(exc)[0]["errorCode"])


# --------------------------------------------------------------------------- timestamps


def test_same_second_writes_share_system_modstamp(
    app: SalesforceSandbox, sf: SalesforceClient
) -> None:
    ids = [app.store.insert("Lead", {"LastName": f"L{i}", "Company": "C"}) for i in range(3)]
    rows = sf.query("SELECT Id, SystemModstamp FROM Lead")["records"]
    stamps = {r["SystemModstamp"] for r in rows}
    assert len(rows) == 3 and len(stamps) == 1
    assert stamps.pop().endswith(".000+0000")
    assert {r["Id"] for r in rows} == set(ids)


def test_rows_tied_on_every_sort_key_come_back_in_no_fixed_order(
    app: SalesforceSandbox, sf: SalesforceClient
) -> None:
    ids = [app.store.insert("Lead", {"LastName": f"L{i:02d}", "Company": "C"}) for i in range(30)]
    soql = "SELECT Id FROM Lead ORDER BY SystemModstamp"
    first = [r["Id"] for r in sf.query(soql)["records"]]
    second = [r["Id"] for r in sf.query(soql)["records"]]
    assert sorted(first) == sorted(ids)
    assert first != ids or second != ids  # not insertion order every time
    ordered = [
        r["Id"] for r in sf.query("SELECT Id FROM Lead ORDER BY SystemModstamp, Id")["records"]
    ]
    assert ordered == sorted(ids)  # a unique last key makes the order total


# --------------------------------------------------------------------------- field setup


def _field(name: str, **metadata: Any) -> dict[str, Any]:
    return {"FullName": f"Lead.{name}", "Metadata": metadata}


@pytest.mark.parametrize(
    ("metadata", "missing"),
    [
        ({"type": "Text", "label": "T"}, "length"),
        ({"type": "Number", "label": "N", "precision": 3}, "scale"),
        ({"type": "Checkbox", "label": "C"}, "defaultValue"),
        ({"type": "Picklist", "label": "P"}, "valueSet"),
        ({"type": "DateTime"}, "label"),
    ],
)
def test_tooling_validates_metadata(
    sf: SalesforceClient, metadata: dict[str, Any], missing: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.toolingexecute("sobjects/CustomField", method="POST", data=_field("X__c", **metadata))
    content: Any = info.value.content
    assert missing in content[0]["message"] or missing in content[0]["fields"]


def test_new_field_needs_field_level_security(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    lead = app.store.insert("Lead", {"LastName": "L", "Company": "C"})
    tier = _field(
        "Tier__c",
        type="Picklist",
        label="Tier",
        valueSet={"valueSetDefinition": {"value": [{"fullName": "hot"}, {"fullName": "mql"}]}},
    )
    sf.toolingexecute("sobjects/CustomField", method="POST", data=tier)
    with pytest.raises(SalesforceMalformedRequest) as read:
        sf.query("SELECT Tier__c FROM Lead")
    assert _error_code(read.value) == "INVALID_FIELD" and "No such column" in str(
        read.value.content
    )
    grant(app, sf, "Lead.Tier__c", edit=False)
    described = {f["name"]: f for f in sf.Lead.describe()["fields"]}["Tier__c"]
    assert described["updateable"] is False
    assert [v["value"] for v in described["picklistValues"]] == ["hot", "mql"]
    assert sf.query("SELECT Tier__c FROM Lead")["records"][0]["Tier__c"] is None
    with pytest.raises(SalesforceMalformedRequest) as write:
        sf.Lead.update(lead, {"Tier__c": "hot"})
    assert _error_code(write.value) == "INVALID_FIELD_FOR_INSERT_UPDATE"
    with pytest.raises(SalesforceMalformedRequest) as edit_only:
        sf.FieldPermissions.create(
            {
                "ParentId": grant(app, sf, "Lead.Tier__c", edit=False),
                "SobjectType": "Lead",
                "Field": "Lead.Tier__c",
                "PermissionsRead": False,
                "PermissionsEdit": True,
            }
        )
    assert _error_code(edit_only.value) == "FIELD_INTEGRITY_EXCEPTION"
    grant(app, sf, "Lead.Tier__c", edit=True)
    assert sf.Lead.update(lead, {"Tier__c": "hot"}) == 204


def test_describe_carries_picklist_values(sf: SalesforceClient) -> None:
    fields = {f["name"]: f for f in sf.Task.describe()["fields"]}
    assert {v["value"] for v in fields["Type"]["picklistValues"]} >= {"Call", "Email"}
    assert fields["Description"]["filterable"] is False
    assert fields["Subject"]["filterable"] is True
    for key in ("picklistValues", "defaultValue", "permissionable", "nillable", "length"):
        assert key in fields["Subject"]


# --------------------------------------------------------------------------- polymorphic


def test_polymorphic_who_is_the_name_entity(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    lead = app.store.insert("Lead", {"LastName": "Lee", "Company": "Acme"})
    account = app.store.insert("Account", {"Name": "Acme", "Website": "acme.io", "Type": "Other"})
    app.store.insert("Task", {"Subject": "Call", "WhoId": lead, "WhatId": account})
    row = sf.query("SELECT Who.Type, Who.Name, What.Type, What.Name FROM Task")["records"][0]
    assert row["Who"]["attributes"]["type"] == "Name"
    assert (row["Who"]["Type"], row["Who"]["Name"]) == ("Lead", "Lee")
    assert (row["What"]["Type"], row["What"]["Name"]) == ("Account", "Acme")
    for path in ("Who.Company", "What.Website"):
        with pytest.raises(SalesforceMalformedRequest) as info:
            sf.query(f"SELECT {path} FROM Task")
        assert _error_code(info.value) == "INVALID_FIELD"
    filtered = sf.query("SELECT Id FROM Task WHERE Who.Type = 'Lead'")
    assert filtered["totalSize"] == 1


# --------------------------------------------------------------------------- URI and SOQL


def test_long_uri_is_refused(app: SalesforceSandbox, server: SandboxServer) -> None:
    ids = ", ".join("'00Q8d00000" + f"{i:05d}" + "AAA'" for i in range(1000))
    response = requests.get(
        f"{server.url}/services/data/v66.0/query",
        params={"q": f"SELECT Id FROM Lead WHERE Id IN ({ids})"},
        headers={"Authorization": "Bearer " + app.new_session()},
        timeout=5,
    )
    assert response.status_code == 414


def test_long_text_areas_cannot_be_filtered_or_sorted(sf: SalesforceClient) -> None:
    for soql in (
        "SELECT Id FROM Task WHERE Description = 'x'",
        "SELECT Id FROM Task ORDER BY Description",
        "SELECT Id FROM Task WHERE Description LIKE '%x%'",
    ):
        with pytest.raises(SalesforceMalformedRequest) as info:
            sf.query(soql)
        assert _error_code(info.value) == "INVALID_FIELD"


def test_malformed_id_literals_are_refused(sf: SalesforceClient) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query("SELECT Id FROM Lead WHERE Id IN ('00Q8d0000000001AAA', 'nope')")
    assert _error_code(info.value) == "INVALID_QUERY_FILTER_OPERATOR"


def test_bulk_query_refuses_offset(sf: SalesforceClient) -> None:
    with pytest.raises(SalesforceError):
        list(sf.bulk2.Lead.query("SELECT Id FROM Lead ORDER BY Id OFFSET 10", wait=0))


# --------------------------------------------------------------------------- activities


def test_old_activities_are_archived(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    now = dt.datetime.fromtimestamp(app.clock(), tz=UTC)
    lead = app.store.insert("Lead", {"LastName": "L", "Company": "C"})
    old = now - dt.timedelta(days=400)
    app.store.insert("Task", {"WhoId": lead, "ActivityDate": old.date(), "CreatedDate": old})
    app.store.insert("Event", {"WhoId": lead, "ActivityDateTime": old, "CreatedDate": old})
    app.store.insert("Task", {"WhoId": lead, "ActivityDate": now.date()})
    assert sf.query("SELECT Id FROM Task")["totalSize"] == 1
    assert sf.query("SELECT Id FROM Event")["totalSize"] == 0
    rows = sf.query_all("SELECT Id, IsArchived FROM Task", include_deleted=True)["records"]
    assert sorted(r["IsArchived"] for r in rows) == [False, True]
    assert sf.query_all("SELECT Id FROM Event", include_deleted=True)["totalSize"] == 1


# --------------------------------------------------------------------------- writes


def test_failed_collection_items_carry_no_id(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    ok = app.store.insert("Lead", {"LastName": "A", "Company": "C"})
    gone = app.store.insert("Lead", {"LastName": "B", "Company": "C"})
    app.store.delete("Lead", gone)
    body = {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": "Lead"}, "id": ok, "Title": "CEO"},
            {"attributes": {"type": "Lead"}, "id": gone, "Title": "CEO"},
        ],
    }
    results = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert results[0] == {"id": ok, "success": True, "errors": []}
    assert "id" not in results[1] and results[1]["success"] is False


def test_bulk_result_files_are_unordered(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    ids = [app.store.insert("Lead", {"LastName": f"L{i}", "Company": "C"}) for i in range(20)]
    (result,) = sf.bulk2.Lead.update(records=[{"Id": i, "Title": "X"} for i in ids], wait=0)
    rows = list(csv.DictReader(io.StringIO(sf.bulk2.Lead.get_successful_records(result["job_id"]))))
    returned = [r["sf__Id"] for r in rows]
    assert sorted(returned) == sorted(ids) and returned != ids


# --------------------------------------------------------------------------- auth


def _token(server: SandboxServer, claims: dict[str, Any], key: str) -> requests.Response:
    assertion = jwt.encode(claims, key, algorithm="RS256")
    return requests.post(
        f"{server.url}/services/oauth2/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
        timeout=5,
    )


def test_jwt_assertions_are_checked(app: SalesforceSandbox, server: SandboxServer) -> None:
    private, public = new_key_pair()
    other, _ = new_key_pair()
    app.register_connected_app("app-key", public)
    now = app.clock()
    good = {
        "iss": "app-key",
        "sub": "integration@syncd.example",
        "aud": "https://login.salesforce.com",
    }
    assert _token(server, {**good, "exp": now + 180}, private).status_code == 200
    cases = [
        ({**good, "exp": now - 1}, private, "invalid_grant", "expired authorization code"),
        ({**good, "exp": now + 180}, other, "invalid_grant", "invalid assertion"),
        (
            {**good, "aud": "https://evil.example.com", "exp": now + 180},
            private,
            "invalid_grant",
            "audience is invalid",
        ),
        (
            {**good, "iss": "unknown", "exp": now + 180},
            private,
            "invalid_client_id",
            "client identifier invalid",
        ),
    ]
    for claims, key, error, description in cases:
        answer = _token(server, claims, key)
        assert answer.status_code == 400
        assert answer.json() == {"error": error, "error_description": description}


def test_client_credentials_refused_on_generic_login_host(server: SandboxServer) -> None:
    session = loopback_session(server.url)
    answer = session.post(
        "https://login.salesforce.com/services/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "k", "client_secret": "s"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "request not supported on this domain",
    }
    mine = session.post(
        "https://syncd-sandbox.my.salesforce.com/services/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "k", "client_secret": "s"},
        timeout=5,
    )
    assert mine.status_code == 200
