"""Pure mapping: REST and Bulk CSV shapes give the same canonical data."""

from __future__ import annotations

import pytest

from connectors.base import ActivityRecord, ContactRecord, SkippedRecord
from connectors.salesforce import activities, mapping
from connectors.salesforce.config import SalesforceFieldNames

READABLE = {"title", "industry", "numberofemployees", "country", "status", "syncd_score__c",
            "syncd_tier__c", "syncd_reasons__c", "syncd_priority__c"}  # fmt: skip


@pytest.mark.parametrize(
    ("subtype", "kind", "subject", "expected"),
    [
        ("Call", None, "Intro", "call"),
        ("Task", "Call", "Follow-up", "call"),
        (None, None, "Call: discovery", "call"),
        ("Email", None, "Email: RE: pricing", "email_reply"),
        ("Email", None, "Email: Our proposal", "email_sent"),
        ("ListEmail", None, "Newsletter", "email_sent"),
        ("Task", "Other", "Demo request", "demo_request"),
        ("Task", "Other", "Support: billing", "support_ticket"),
        ("Task", "Other", "Prepare deck", None),
    ],
)
def test_task_classification(
    subtype: str | None, kind: str | None, subject: str, expected: str | None
) -> None:
    assert activities.classify_task(subtype, kind, subject) == expected


def test_rest_and_csv_rows_map_alike() -> None:
    fields = mapping.person_fields("lead", {}, SalesforceFieldNames(), READABLE)
    rest = mapping.flatten(
        {"attributes": {"type": "Lead"}, "Id": "00Q8d0000000001AAA", "Email": "a@acme.io",
         "Company": "Acme", "IsConverted": False, "NumberOfEmployees": 120, "Title": "CEO",
         "CreatedDate": "2026-11-20T10:00:00.000+0000", "Syncd_Score__c": 42.0,
         "Syncd_Priority__c": True, "Syncd_Tier__c": "mql", "Syncd_Reasons__c": None}
    )  # fmt: skip
    csv = mapping.from_csv(
        {"Id": "00Q8d0000000001AAA", "Email": "a@acme.io", "Company": "Acme",
         "IsConverted": "false", "NumberOfEmployees": "120", "Title": "CEO",
         "CreatedDate": "2026-11-20T10:00:00.000Z", "Syncd_Score__c": "42",
         "Syncd_Priority__c": "true", "Syncd_Tier__c": "mql", "Syncd_Reasons__c": ""}
    )  # fmt: skip
    a, b = mapping.person("lead", rest, fields), mapping.person("lead", csv, fields)
    assert isinstance(a, ContactRecord) and a == b
    assert a.data["properties"] == {"title": "CEO", "employees": 120}
    assert a.data["created_at"] == "2026-11-20T10:00:00Z"
    assert a.crm_values is not None and a.crm_values.score == 42 and a.crm_values.priority


def test_converted_leads_are_not_writable() -> None:
    fields = mapping.person_fields("lead", {}, SalesforceFieldNames(), READABLE)
    row = {
        "Id": "00Q8d0000000001AAA",
        "IsConverted": "true",
        "ConvertedContactId": "0038d0000000001AAA",
    }
    record = mapping.person("lead", row, fields)
    assert isinstance(record, ContactRecord) and record.writable is False


def test_account_domain_is_cleaned() -> None:
    row = {"Id": "0018d0000000001AAA", "Name": "Acme", "Website": "HTTPS://www.Acme.io:443/en/"}
    record = mapping.account(row, {}, None, None)
    assert not isinstance(record, SkippedRecord) and record.data["domain"] == "acme.io"


def test_campaign_members_by_campaign_type() -> None:
    base = {"Id": "00v8d0000000001AAA", "CreatedDate": "2026-11-01T00:00:00.000+0000",
            "Campaign.Name": "Nov"}  # fmt: skip
    clicked = activities.campaign_member(
        {**base, "Campaign.Type": "Email", "Status": "Clicked"}, "003X"
    )
    assert isinstance(clicked, list)
    assert [a.data["type"] for a in clicked] == ["email_open", "email_click"]
    assert len({a.key for a in clicked}) == 2
    event = activities.campaign_member(
        {**base, "Campaign.Type": "Conference", "Status": "Attended"}, "003X"
    )
    assert isinstance(event, list) and event[0].data == {
        "type": "event_attended", "at": "2026-11-01T00:00:00Z", "campaign": "Nov",
    }  # fmt: skip
    sent = activities.campaign_member({**base, "Campaign.Type": "Email", "Status": "Sent"}, "003X")
    assert sent == []  # no engagement, and nothing wrong with the record either
    assert (
        activities.task(
            {
                "Id": "00T1",
                "Subject": "Prepare deck",
                "TaskSubtype": "Task",
                "ActivityDate": "2026-11-02",
            },
            "003X",
        )
        is None
    )
    undated = activities.campaign_member(
        {**base, "Campaign.Type": "Email", "Status": "Clicked", "CreatedDate": None}, "003X"
    )
    assert isinstance(undated, SkippedRecord) and "without a date" in undated.reason


def test_activity_keys_are_stable() -> None:
    row = {"Id": "00T8d0000000001AAA", "Subject": "Call", "ActivityDate": "2026-11-02"}
    first, second = activities.task(row, "003X"), activities.task(dict(row), "003X")
    assert isinstance(first, ActivityRecord) and first == second
    assert first.key == "task:00T8d0000000001AAA" and first.data["at"] == "2026-11-02T00:00:00Z"
