"""Reads end to end through simple-salesforce against the fake org."""

from __future__ import annotations

import datetime as dt
from typing import Any

from connectors.base import ActivityRecord, ContactRecord, Page
from tests.kit.salesforce_connector import Org, create_fields, drain

UTC = dt.UTC


def contacts(pages: list[Page]) -> list[ContactRecord]:
    return [c for p in pages for c in p.contacts]


def activities(pages: list[Page]) -> list[ActivityRecord]:
    return [a for p in pages for a in p.activities]


def test_one_second_ties_across_a_page_boundary_are_read_once(org: Org) -> None:
    store = org.app.store
    ids = {store.insert("Contact", {"LastName": f"C{i}"}) for i in range(3000)}
    assert len({r["SystemModstamp"] for r in store.records("Contact")}) == 1
    org.clock.advance(2)
    conn = org.connector()
    until = org.clock.utc()
    contact_pages = [p for p in conn.changes(None, until) if p.contacts]
    read = [c.id for p in contact_pages for c in p.contacts]
    assert len(contact_pages) == 2  # 2,000 + 1,000: the tie spans the page boundary
    assert len(read) == 3000 and set(read) == ids
    # resume from the first page's cursor (a crash after committing it): the rest, once
    rest = [c.id for p in conn.changes(contact_pages[0].cursor, until) for c in p.contacts]
    assert sorted(rest) == sorted(ids - {c.id for c in contact_pages[0].contacts})


def test_late_commit_inside_lookback_is_read(org: Org) -> None:
    store = org.app.store
    store.insert("Lead", {"LastName": "Early", "Company": "A"})
    org.clock.advance(60)
    conn = org.connector(lookback="PT15M")
    first_until = org.clock.utc()
    pages, cursor = drain(conn, None, first_until)
    assert [c.data.get("company") for c in contacts(pages)] == ["A"]
    assert cursor is not None
    assert all(
        v[0] <= first_until.strftime("%Y-%m-%dT%H:%M:%SZ") for v in cursor["streams"].values()
    )
    # a transaction that started 5 minutes before the run's start commits after it
    late_stamp = first_until - dt.timedelta(minutes=5)
    late = store.insert(
        "Lead",
        {
            "LastName": "Late",
            "Company": "B",
            "SystemModstamp": late_stamp,
            "CreatedDate": late_stamp,
        },
    )
    org.clock.advance(60)
    pages, _ = drain(conn, cursor, org.clock.utc())
    assert late in {c.id for c in contacts(pages)}


def test_nothing_stamped_at_or_after_until_is_read(org: Org) -> None:
    store = org.app.store
    until = org.clock.utc()
    store.insert("Lead", {"LastName": "Now", "Company": "A"})  # same second as `until`
    pages, cursor = drain(org.connector(), None, until)
    assert contacts(pages) == []
    org.clock.advance(1)
    pages, _ = drain(org.connector(), cursor, org.clock.utc())
    assert [c.data["company"] for c in contacts(pages)] == ["A"]


def test_deleted_and_merged_records_leave(org: Org) -> None:
    store = org.app.store
    keep = store.insert("Contact", {"LastName": "Keep"})
    gone = store.insert("Contact", {"LastName": "Gone"})
    survivor = store.insert("Lead", {"LastName": "S", "Company": "A"})
    loser = store.insert("Lead", {"LastName": "L", "Company": "A"})
    account = store.insert("Account", {"Name": "Old"})
    org.clock.advance(10)
    conn = org.connector()
    _, cursor = drain(conn, None, org.clock.utc())
    org.clock.advance(10)
    store.delete("Contact", gone)
    store.merge("Lead", survivor, [loser])
    store.delete("Account", account)
    org.clock.advance(10)
    pages, _ = drain(conn, cursor, org.clock.utc())
    assert [d for p in pages for d in p.deleted_contacts] == [gone]
    assert {k: v for p in pages for k, v in p.merged.items()} == {loser: survivor}
    assert [d for p in pages for d in p.deleted_accounts] == [account]
    assert keep not in {c.id for c in contacts(pages)}


def test_people_accounts_and_activities_map(org: Org) -> None:
    create_fields(org)
    store = org.app.store
    today = org.clock.utc()
    acme = store.insert(
        "Account",
        {"Name": "Acme", "Website": "https://www.Acme.io/about", "Industry": "Technology",
         "NumberOfEmployees": 120, "Target_Account__c": True},
    )  # fmt: skip
    contact = store.insert(
        "Contact",
        {"LastName": "Ann", "Email": "ann@acme.io", "AccountId": acme, "Title": "VP Sales",
         "Department": "Sales", "MailingCountry": "US", "Syncd_Score__c": 42,
         "Syncd_Tier__c": "nurture"},
    )  # fmt: skip
    lead = store.insert(
        "Lead",
        {"LastName": "Lee", "Company": "Acme Inc", "Email": "lee@acme.io", "Title": "CTO",
         "NumberOfEmployees": 120, "Industry": "Technology", "Status": "Working - Contacted"},
    )  # fmt: skip
    converted_to = store.insert("Contact", {"LastName": "Conv", "AccountId": acme})
    converted = store.insert(
        "Lead",
        {"LastName": "Conv", "Company": "Acme", "IsConverted": True,
         "ConvertedContactId": converted_to},
    )  # fmt: skip
    store.insert("Task", {"WhoId": contact, "Subject": "Call: intro", "TaskSubtype": "Call",
                          "Type": "Call", "ActivityDate": today.date(),
                          "CallDurationInSeconds": 300})  # fmt: skip
    store.insert("Task", {"WhoId": lead, "Subject": "Email: RE: pricing", "TaskSubtype": "Email",
                          "ActivityDate": today.date()})  # fmt: skip
    store.insert("Task", {"WhoId": converted, "Subject": "Support: billing", "TaskSubtype": "Task",
                          "ActivityDate": today.date()})  # fmt: skip
    store.insert("Task", {"WhoId": lead, "Subject": "Prepare deck", "TaskSubtype": "Task",
                          "ActivityDate": today.date()})  # fmt: skip
    old = today - dt.timedelta(days=500)
    store.insert("Event", {"WhoId": lead, "Subject": "Demo", "ActivityDateTime": old,
                           "StartDateTime": old, "Type": "Meeting"})  # fmt: skip
    webinar = store.insert("Campaign", {"Name": "Nov webinar", "Type": "Webinar"})
    store.insert("CampaignMember", {"CampaignId": webinar, "LeadId": lead, "Status": "Attended",
                                    "FirstRespondedDate": today.date()})  # fmt: skip
    org.clock.advance(5)
    conn = org.connector(
        account_priority_field="Target_Account__c",
        extra_activities=[
            {"object": "Event", "type": "demo_request", "who_field": "WhoId",
             "at_field": "StartDateTime", "fields": {"subject": "Subject"},
             "where": {"Subject": "Demo' OR Subject != '"}},
            {"object": "Event", "type": "demo_request", "who_field": "WhoId",
             "at_field": "StartDateTime", "where": {"Subject": "Demo"}},
        ],
    )  # fmt: skip
    pages, _ = drain(conn, None, org.clock.utc())
    accounts = {a.id: a for p in pages for a in p.accounts}
    assert accounts[acme].data["domain"] == "acme.io"
    assert accounts[acme].data["name"] == "Acme"
    assert accounts[acme].data["properties"] == {
        "industry": "Technology", "employees": 120, "priority": True,
    }  # fmt: skip
    people = {c.id: c for c in contacts(pages)}
    ann = people[contact]
    assert ann.kind == "contact" and ann.account_id == acme and ann.writable
    assert ann.data["email"] == "ann@acme.io"
    assert ann.data["properties"] == {"title": "VP Sales", "department": "Sales", "country": "US"}
    assert ann.crm_values is not None and (ann.crm_values.score, ann.crm_values.tier) == (
        42,
        "nurture",
    )
    lee = people[lead]
    assert lee.kind == "lead" and lee.account_id is None and lee.data["company"] == "Acme Inc"
    assert lee.data["properties"]["lead_status"] == "Working - Contacted"
    assert people[converted].writable is False
    by_key = {(a.contact_id, a.data["type"]) for a in activities(pages)}
    assert (contact, "call") in by_key and (lead, "email_reply") in by_key
    assert (converted_to, "support_ticket") in by_key  # history follows the converted Contact
    assert (lead, "meeting") in by_key  # archived, still read through queryAll
    assert (lead, "webinar_attended") in by_key and (lead, "webinar_registered") in by_key
    demo = [a for a in activities(pages) if a.data["type"] == "demo_request"]
    assert len(demo) == 1 and demo[0].key.startswith("x:Event:")  # the quoted value matched nothing
    # "Prepare deck" is an internal to-do: no activity, and no warning either
    assert not any(a.data.get("subject") == "Prepare deck" for a in activities(pages))
    assert [s for p in pages for s in p.skipped] == []


def test_bulk_read_above_threshold_rest_below(org: Org) -> None:
    store = org.app.store
    for i in range(2500):
        store.insert("Contact", {"LastName": f"C{i}"})
        org.clock.advance(0.01)
    org.clock.advance(2)
    until = org.clock.utc()
    rest = org.connector(bulk_read_threshold=5000)
    read = [c.id for p in rest.changes(None, until) for c in p.contacts]
    assert len(read) == 2500 and org.requests("jobs/query") == 0
    bulk = org.connector(bulk_read_threshold=2100, bulk_page_records=200)
    pages = [p for p in bulk.changes(None, until) if p.contacts]
    read = [c.id for p in pages for c in p.contacts]
    assert len(read) == 2500 and len(set(read)) == 2500
    assert org.requests("POST /services/data/v66.0/jobs/query") == 1
    assert len(pages) == 1 + 3  # the first REST page, then 500 rows in Bulk pages of 200
    assert pages[-1].cursor is not None
    assert pages[-1].cursor["streams"]["Contact"][0] == until.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_lead_conversion_lookups_are_chunked_under_the_uri_limit(org: Org) -> None:
    store = org.app.store
    leads = [store.insert("Lead", {"LastName": f"L{i}", "Company": "C"}) for i in range(700)]
    for lead in leads:
        store.insert(
            "Task", {"WhoId": lead, "Subject": "Call", "ActivityDate": dt.date(2026, 11, 1)}
        )
    org.clock.advance(5)
    conn = org.connector()
    # incremental: the lead stream has a cursor, so the connector asks which leads converted
    cursor: dict[str, Any] = {
        "v": 1,
        "streams": {"Lead": [org.clock.utc().strftime("%Y-%m-%dT%H:%M:%SZ"), ""]},
    }
    pages, _ = drain(conn, cursor, org.clock.utc())
    assert len(activities(pages)) == 700
    lookups = [
        r for r in org.app.log.requests() if "ConvertedContactId" in str(r.query.get("q", ""))
    ]
    assert len(lookups) >= 2 and all(r.status == 200 for r in lookups)


def test_leads_read_in_the_same_run_need_no_conversion_lookup(org: Org) -> None:
    store = org.app.store
    old = store.insert("Lead", {"LastName": "Old", "Company": "C"})
    org.clock.advance(5)
    since = org.clock.utc().strftime("%Y-%m-%dT%H:%M:%SZ")
    org.clock.advance(5)
    fresh = [store.insert("Lead", {"LastName": f"F{i}", "Company": "C"}) for i in range(3)]
    day = dt.date(2026, 11, 1)
    for who in (old, *fresh):
        store.insert("Task", {"WhoId": who, "Subject": "Call", "ActivityDate": day})
    org.clock.advance(5)
    cursor: dict[str, Any] = {"v": 1, "streams": {"Lead": [since, ""], "Task": [since, ""]}}
    conn = org.connector()
    org.app.log.reset()
    pages, _ = drain(conn, cursor, org.clock.utc())
    assert sorted(c.id for c in contacts(pages)) == sorted(fresh)
    assert sorted(a.contact_id for a in activities(pages)) == sorted([old, *fresh])
    lookups = [
        str(r.query.get("q", "")) for r in org.app.log.requests()
        if "ConvertedContactId FROM Lead" in str(r.query.get("q", ""))
    ]  # fmt: skip
    # only the lead this run did not read is looked up
    assert len(lookups) == 1 and old in lookups[0]
    assert not any(lead in lookups[0] for lead in fresh)
