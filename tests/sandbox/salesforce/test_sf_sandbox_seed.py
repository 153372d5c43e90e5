"""Seeding the fake org from a generated dataset."""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import MappingProxyType

from simple_salesforce.api import Salesforce

from syncd.sandbox.generator import Dataset, GenActivity, GenCompany, GenContact, generate
from syncd.sandbox.outcomes import deals_for
from syncd.sandbox.salesforce import SalesforceSandbox, loopback_session
from syncd.sandbox.server import SandboxServer

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
T0 = NOW - dt.timedelta(days=90)
MS = dt.timedelta(milliseconds=1)


def _person(
    key: str, *, lead: bool, converted: bool = False, company: str | None = "co1"
) -> GenContact:
    return GenContact(
        key,
        "Ada",
        key.title(),
        f"{key}@acme.com",
        "CTO",
        "IT",
        "engineer",
        "+1 555 0100",
        company,
        "Acme" if company else "",
        "US",
        "lead",
        "Open - Not Contacted",
        lead,
        converted,
        T0,
        T0 + dt.timedelta(days=1),
    )


def _act(key: str, who: str, kind: str, days: int, **attrs: str) -> GenActivity:
    return GenActivity(key, who, kind, T0 + dt.timedelta(days=days), MappingProxyType(attrs))


def handmade() -> Dataset:
    company = GenCompany("co1", "Acme", "acme.com", "Software", 250, "US", "Austin", True, T0, T0)
    contacts = (
        _person("lead1", lead=True, company=None),
        _person("conv1", lead=True, converted=True),
        _person("cont1", lead=False),
    )
    activities = (
        _act("a1", "lead1", "email_open", 1, campaign="Nov newsletter"),
        _act("a2", "lead1", "email_click", 2, campaign="Nov newsletter", url="https://x/p"),
        _act("a3", "cont1", "webinar_registered", 3, campaign="Nov webinar"),
        _act("a4", "cont1", "webinar_attended", 4, campaign="Nov webinar"),
        _act("a5", "cont1", "call", 5, subject="Discovery"),
        _act("a6", "conv1", "meeting", 6, subject="Demo"),
        _act("a7", "lead1", "page_view", 7, url="https://x/pricing"),
    )
    return Dataset(1, NOW, (company,), contacts, activities)


def test_seed_maps_dataset_to_sobjects() -> None:
    app = SalesforceSandbox(handmade())
    counts = app.store.counts()
    assert counts["Account"] == 1 and counts["Lead"] == 2 and counts["Contact"] == 2
    assert counts["Task"] == 1 and counts["Event"] == 1 and counts["Campaign"] == 2
    assert counts["CampaignMember"] == 2 and counts["User"] == 4
    with SandboxServer(app) as srv:
        sf = Salesforce(
            instance_url=app.instance_url,
            session_id=app.new_session(),
            session=loopback_session(srv.url),
        )
        account = sf.query("SELECT Name, Website, Target_Account__c FROM Account")["records"][0]
        assert account["Target_Account__c"] is True and account["Website"] == "https://acme.com"
        conv = sf.query(
            "SELECT ConvertedContact.Email, ConvertedAccount.Name FROM Lead "
            "WHERE IsConverted = true"
        )["records"][0]
        assert conv["ConvertedContact"]["Email"] == "conv1@acme.com"
        assert conv["ConvertedAccount"]["Name"] == "Acme"
        members = sf.query(
            "SELECT Campaign.Type, Status, HasResponded, Lead.Email, Contact.Email "
            "FROM CampaignMember ORDER BY Campaign.Name"
        )["records"]
        assert [(m["Campaign"]["Type"], m["Status"], m["HasResponded"]) for m in members] == [
            ("Email", "Clicked", True),
            ("Webinar", "Attended", True),
        ]
        assert members[0]["Lead"]["Email"] == "lead1@acme.com" and members[0]["Contact"] is None
        event = sf.query("SELECT Who.Email, Subject FROM Event")["records"][0]
        assert event["Who"]["Email"] == "conv1@acme.com"  # activities follow the conversion
        lead = sf.query("SELECT Id, SystemModstamp FROM Lead WHERE Email = 'lead1@acme.com'")
        assert lead["records"][0]["SystemModstamp"].startswith("2026-08-23")


def test_seed_from_generator_small() -> None:
    data = generate(3, 40, NOW)
    app = SalesforceSandbox(data)
    counts = app.store.counts()
    # Contacts: people who are contacts, plus the Contact each converted Lead became
    # (converted in the dataset, or by a generated opportunity when it has a company).
    deals = {d.contact_key: d for d in deals_for(data)}
    converts = {
        c.key
        for c in data.contacts
        if c.converted or (c.is_lead and c.key in deals and c.company_key)
    }
    people = sum(1 for c in data.contacts if not c.is_lead or c.key in converts)
    assert counts["Contact"] == people
    assert counts["Lead"] == sum(1 for c in data.contacts if c.is_lead or c.converted)
    converted = [r for r in app.store.records("Lead") if r["IsConverted"]]
    assert len(converted) == len(converts) > 0
    assert all(r["ConvertedContactId"].startswith("003") for r in converted)
    assert (
        counts["Opportunity"]
        == counts["OpportunityContactRole"]
        == sum(1 for c in data.contacts if c.key in deals and (not c.is_lead or c.key in converts))
    )
    assert counts["Account"] == len(data.companies)


def test_seeded_stamps_are_whole_seconds_so_same_second_changes_tie() -> None:
    stamp = T0 + dt.timedelta(seconds=7, milliseconds=120)
    people = tuple(
        dataclasses.replace(_person(f"tie{i}", lead=False), modified_at=stamp + i * MS)
        for i in range(3)
    )
    company = GenCompany("co1", "Acme", "acme.com", "Software", 250, "US", "Austin", True, T0, T0)
    app = SalesforceSandbox(Dataset(1, NOW, (company,), people, ()))
    ties = {r["SystemModstamp"] for r in app.store.records("Contact")}
    assert ties == {T0 + dt.timedelta(seconds=7)}
    generated = SalesforceSandbox(generate(3, 40, NOW))
    for sobject in ("Account", "Lead", "Contact", "Task", "Event", "Campaign", "CampaignMember"):
        for record in generated.store.records(sobject):
            stamps = [v for v in record.values() if isinstance(v, dt.datetime)]
            assert all(v.microsecond == 0 for v in stamps), (sobject, record["Id"])
