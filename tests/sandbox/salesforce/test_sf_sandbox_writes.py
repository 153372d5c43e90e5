"""Describe, Tooling custom fields, single PATCH, sObject Collections, SystemModstamp."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.salesforce.schema import id18
from tests.kit.clock import ManualClock
from tests.kit.salesforce import SalesforceClient, errors_of, grant

SCORE = {
    "FullName": "Lead.Syncd_Score__c",
    "Metadata": {"type": "Number", "precision": 5, "scale": 1, "label": "Syncd Score"},
}


def leads(app: SalesforceSandbox, n: int) -> list[str]:
    return [app.store.insert("Lead", {"LastName": f"L{i}", "Company": "C"}) for i in range(n)]


def test_describe_lists_fields(sf: SalesforceClient) -> None:
    described = sf.Lead.describe()
    fields = {f["name"]: f for f in described["fields"]}
    assert described["keyPrefix"] == "00Q"
    assert fields["Email"]["type"] == "email" and fields["Email"]["updateable"]
    assert fields["SystemModstamp"]["updateable"] is False
    assert "Syncd_Score__c" not in fields
    assert {o["name"] for o in sf.describe()["sobjects"]} >= {"Lead", "Contact", "CampaignMember"}


def test_tooling_creates_field_then_writes_work(
    app: SalesforceSandbox, sf: SalesforceClient
) -> None:
    (lead,) = leads(app, 1)
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Lead.update(lead, {"Syncd_Score__c": 42})
    assert errors_of(info.value)[0]["errorCode"] == "INVALID_FIELD"
    created = sf.toolingexecute("sobjects/CustomField", method="POST", data=SCORE)
    assert created["success"] is True and created["id"].startswith("00N")
    with pytest.raises(SalesforceMalformedRequest) as dup:
        sf.toolingexecute("sobjects/CustomField", method="POST", data=SCORE)
    assert errors_of(dup.value)[0]["errorCode"] == "DUPLICATE_DEVELOPER_NAME"
    # invisible to the API user until field-level security grants it
    assert "Syncd_Score__c" not in {f["name"] for f in sf.Lead.describe()["fields"]}
    with pytest.raises(SalesforceMalformedRequest) as hidden:
        sf.Lead.update(lead, {"Syncd_Score__c": 42})
    assert errors_of(hidden.value)[0]["errorCode"] == "INVALID_FIELD"
    grant(app, sf, "Lead.Syncd_Score__c", edit=True)
    field = {f["name"]: f for f in sf.Lead.describe()["fields"]}["Syncd_Score__c"]
    assert field["custom"] and field["type"] == "double" and field["scale"] == 1
    assert sf.Lead.update(lead, {"Syncd_Score__c": 42.25}) == 204
    assert sf.Lead.get(lead)["Syncd_Score__c"] == 42.2
    row = sf.query("SELECT Syncd_Score__c FROM Lead WHERE Syncd_Score__c > 40")["records"][0]
    assert row["Syncd_Score__c"] == 42.2


def test_patch_bumps_system_modstamp(
    app: SalesforceSandbox, sf: SalesforceClient, clock: ManualClock
) -> None:
    (lead,) = leads(app, 1)
    before = app.store.get("Lead", lead)
    assert before is not None
    clock.advance(60)
    assert sf.Lead.update(lead, {"Title": "CEO"}) == 204
    after = app.store.get("Lead", lead)
    assert after is not None and after["Title"] == "CEO"
    assert after["SystemModstamp"] > before["SystemModstamp"]
    assert after["LastModifiedDate"] == after["SystemModstamp"]
    got = sf.Lead.get(lead)
    assert got["SystemModstamp"].endswith("+0000") and got["attributes"]["type"] == "Lead"


def test_single_record_errors(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    (lead,) = leads(app, 1)
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Lead.update(lead, {"SystemModstamp": "2026-01-01T00:00:00Z"})
    assert errors_of(info.value)[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.get("00Q8d00000zzzzzAAA")
    app.store.update("Lead", lead, {"IsConverted": True})
    with pytest.raises(SalesforceMalformedRequest) as conv:
        sf.Lead.update(lead, {"Title": "x"})
    assert errors_of(conv.value)[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_collections_partial_results_in_order(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    ids = leads(app, 3)
    app.store.delete("Lead", ids[1])
    body = {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": "Lead"}, "id": ids[0], "Title": "A"},
            {"attributes": {"type": "Lead"}, "id": ids[1], "Title": "B"},
            {"attributes": {"type": "Lead"}, "id": id18("00Q8d0000000zzz"), "Title": "C"},
            {"attributes": {"type": "Lead"}, "id": ids[2], "Nope__c": 1},
        ],
    }
    results = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert [r["success"] for r in results] == [True, False, False, False]
    assert results[0] == {"id": ids[0], "success": True, "errors": []}
    codes = [r["errors"][0]["statusCode"] for r in results[1:]]
    assert codes == ["ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "INVALID_FIELD"]
    assert app.store.get("Lead", ids[0])["Title"] == "A"  # type: ignore[index]


def test_collections_all_or_none_rolls_back(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    ids = leads(app, 2)
    before = app.store.get("Lead", ids[0])
    body = {
        "allOrNone": True,
        "records": [
            {"attributes": {"type": "Lead"}, "id": ids[0], "Title": "A"},
            {"attributes": {"type": "Lead"}, "id": ids[1], "Email": "x" * 100},
        ],
    }
    results = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert [r["errors"][0]["statusCode"] for r in results] == [
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "STRING_TOO_LONG",
    ]
    assert app.store.get("Lead", ids[0]) == before


def test_collections_reject_more_than_200(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    (lead,) = leads(app, 1)
    records = [{"attributes": {"type": "Lead"}, "id": lead, "Title": "t"}] * 201
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.restful("composite/sobjects", method="PATCH", json={"records": records})
    assert errors_of(info.value)[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_injected_partial_failures(app: SalesforceSandbox, sf: SalesforceClient) -> None:
    ids = leads(app, 6)
    app.faults.replace(FaultSpec(partial_rate=1.0))
    body = {"records": [{"attributes": {"type": "Lead"}, "id": i, "Title": "T"} for i in ids]}
    results = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert [r["success"] for r in results] == [False, True, True, False, True, True]
    assert results[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert app.store.get("Lead", ids[0])["Title"] is None  # type: ignore[index]


def test_injected_server_error_has_salesforce_shape(
    app: SalesforceSandbox, sf: SalesforceClient
) -> None:
    from simple_salesforce.exceptions import SalesforceGeneralError

    app.faults.replace(FaultSpec(rate_503=1.0))
    with pytest.raises(SalesforceGeneralError) as info:
        sf.query("SELECT Id FROM Lead")
    assert errors_of(info.value)[0]["errorCode"] == "SERVER_UNAVAILABLE"


def test_collections_mix_types_in_at_most_10_chunks(
    app: SalesforceSandbox, sf: SalesforceClient
) -> None:
    lead_ids = leads(app, 6)
    contact_ids = [app.store.insert("Contact", {"LastName": f"C{i}"}) for i in range(6)]
    grouped = [
        *({"attributes": {"type": "Lead"}, "id": i, "Title": "L"} for i in lead_ids),
        *({"attributes": {"type": "Contact"}, "id": i, "Title": "C"} for i in contact_ids),
    ]
    results = sf.restful("composite/sobjects", method="PATCH", json={"records": grouped})
    assert [r["id"] for r in results] == [*lead_ids, *contact_ids]
    assert app.store.get("Contact", contact_ids[0])["Title"] == "C"  # type: ignore[index]
    alternating = [grouped[n // 2 + (6 if n % 2 else 0)] for n in range(12)]  # 12 chunks
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.restful("composite/sobjects", method="PATCH", json={"records": alternating})
    assert "more than 10 chunks" in errors_of(info.value)[0]["message"]
