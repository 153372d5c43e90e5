"""Field setup: precise messages for missing/invisible/read-only fields; setup makes them usable."""

from __future__ import annotations

from connectors.base import ContactUpdate
from tests.kit.salesforce_connector import Org
from tests.kit.writes import written

TOOLING = "POST /services/data/v66.0/tooling/sobjects/CustomField"


def test_missing_fields_give_one_precise_message(org: Org) -> None:
    report = org.connector().ensure_fields(create=False)
    assert not report.ok and report.present == [] and report.created == []
    assert len(report.missing) == 14
    assert {(f.object, f.name, f.type) for f in report.missing} >= {
        ("Lead", "Syncd_Score__c", "Number(5,0)"),
        ("Contact", "Syncd_Tier__c", "Picklist"),
        ("Account", "Syncd_Account_Score__c", "Number(5,0)"),
    }
    line = next(a for a in report.advice if a.startswith("Contact.Syncd_Priority__c"))
    assert line == (
        "Contact.Syncd_Priority__c (Checkbox): not found, or not visible to the API user. "
        "Create it with `syncd setup --connector sf-test`, or if it exists grant Read and Edit "
        "on it in permission set Syncd_Integration (assigned to that user)."
    )
    check = {c.name: c for c in org.connector().check()}
    assert check["credentials"].ok and not check["fields"].ok
    assert "Lead.Syncd_Score__c (Number(5,0))" in check["fields"].detail
    assert check["fields"].fix.count("syncd setup --connector sf-test") == 1


def test_setup_creates_grants_and_is_then_a_no_op(org: Org) -> None:
    conn = org.connector()
    report = conn.ensure_fields(create=True)
    assert report.ok and len(report.created) == 14 and report.missing == []
    assert org.requests(TOOLING) == 14
    lead = org.app.store.insert("Lead", {"LastName": "L", "Company": "C"})
    now = org.clock.utc()
    update = ContactUpdate(lead, "lead", 55, "mql", "pricing_page +15", False, now, now)
    assert [o.status for o in written(conn, [update])] == ["ok"]
    again = org.connector().ensure_fields(create=True)
    assert again.ok and again.created == [] and len(again.present) == 14
    assert org.requests(TOOLING) == 14  # nothing created the second time


def test_invisible_and_read_only_fields_are_named_and_fixed(org: Org) -> None:
    sf_field = {
        "FullName": "Lead.Syncd_Score__c",
        "Metadata": {"type": "Number", "precision": 5, "scale": 0, "label": "Score"},
    }
    conn = org.connector()
    conn.client.tooling("create", "sobjects/CustomField", "POST", sf_field)  # no FLS yet
    contact_tier = {
        "FullName": "Contact.Syncd_Tier__c",
        "Metadata": {
            "type": "Picklist",
            "label": "Tier",
            "valueSet": {"valueSetDefinition": {"value": [{"fullName": "hot"}]}},
        },
    }
    conn.client.tooling("create", "sobjects/CustomField", "POST", contact_tier)
    store = org.app.store
    ps = store.insert("PermissionSet", {"Name": "Admin_Grants", "Label": "Admin grants"})
    store.insert(
        "PermissionSetAssignment",
        {"AssigneeId": org.app.integration_user_id, "PermissionSetId": ps},
    )
    store.insert(
        "FieldPermissions",
        {"ParentId": ps, "SobjectType": "Contact", "Field": "Contact.Syncd_Tier__c",
         "PermissionsRead": True, "PermissionsEdit": False},
    )  # fmt: skip
    report = conn.ensure_fields(create=False)
    advice = {a.split(" ")[0]: a for a in report.advice}
    assert "not visible to the API user" in advice["Lead.Syncd_Score__c"]
    assert "readable but not editable" in advice["Contact.Syncd_Tier__c"]
    fixed = conn.ensure_fields(create=True)
    assert fixed.ok, fixed.advice
    assert {(f.object, f.name) for f in fixed.created} >= {("Lead", "Syncd_Score__c")}


def test_wrong_type_is_reported_not_recreated(org: Org) -> None:
    conn = org.connector(fields={"score": "Title"})
    report = conn.ensure_fields(create=True)
    line = next(a for a in report.advice if a.startswith("Lead.Title"))
    assert "exists with type string" in line


def test_check_passes_after_setup_and_usage_counts_by_kind(org: Org) -> None:
    conn = org.connector()
    conn.ensure_fields(create=True)
    items = {c.name: c for c in conn.check()}
    assert all(c.ok for c in items.values()), items
    assert set(items) == {"credentials", "api version", "fields", "api budget"}
    assert "guard at 80%" in items["api budget"].detail
    usage = conn.usage()
    assert usage.calls["auth"] == 2 and usage.calls["meta"] > 0 and usage.calls["read"] > 0
    assert usage.budget_limit == 15000 and usage.stop is False
    assert usage.calls_left == 12000 - org.app.api_usage.used


def test_tier_picklist_is_created_with_the_models_tiers(org: Org) -> None:
    conn = org.connector()
    b2c = ("nurture", "mql", "disqualified")
    assert conn.ensure_fields(create=True, tiers=b2c).ok
    described = conn.client.describe("Lead")
    tier = next(f for f in described["fields"] if f["name"] == "Syncd_Tier__c")
    assert [v["value"] for v in tier["picklistValues"]] == list(b2c)

    # an unrestricted picklist stores other tiers: usable, with advice to add them
    report = org.connector().ensure_fields(create=False, tiers=("cold", "mql", "disqualified"))
    assert report.ok
    line = next(a for a in report.advice if a.startswith("Lead.Syncd_Tier__c"))
    assert "lacks the model's tiers cold;" in line and "unrestricted" in line
    assert "Setup > Object Manager > Lead > Fields & Relationships > Syncd_Tier__c" in line


def test_restricted_tier_picklist_lacking_tiers_is_a_field_problem(org: Org) -> None:
    conn = org.connector()
    for obj in ("Lead", "Contact"):
        conn.client.tooling("create", "sobjects/CustomField", "POST", {
            "FullName": f"{obj}.Syncd_Tier__c",
            "Metadata": {"type": "Picklist", "label": "Tier", "valueSet": {
                "restricted": True,
                "valueSetDefinition": {"value": [{"fullName": t} for t in ("mql", "hot")]}}},
        })  # fmt: skip
    tiers = ("nurture", "mql", "hot", "disqualified")
    report = conn.ensure_fields(create=True, tiers=tiers)  # grants access, cannot add values
    assert not report.ok
    assert {(f.object, f.name) for f in report.missing} == {
        ("Lead", "Syncd_Tier__c"),
        ("Contact", "Syncd_Tier__c"),
    }
    line = next(a for a in report.advice if a.startswith("Contact.Syncd_Tier__c"))
    assert "lacks the model's tiers nurture, disqualified;" in line
    assert "restricted, so Salesforce refuses those tiers" in line
    lead = org.app.store.insert("Lead", {"LastName": "L", "Company": "C"})
    now = org.clock.utc()
    refused = ContactUpdate(lead, "lead", 30, "nurture", "email_open +5", False, now)
    outcome = written(conn, [refused])[0]
    assert outcome.status == "rejected" and "restricted picklist" in outcome.reason
    fine = ContactUpdate(lead, "lead", 60, "mql", "pricing_page +15", False, now, now)
    assert [o.status for o in written(conn, [fine])] == ["ok"]
    assert conn.ensure_fields(create=False, tiers=("mql", "hot")).ok
