"""Loads a generated `Dataset` into the fake org as Salesforce records.

- companies → Account (Name, Website, Industry, NumberOfEmployees, BillingCountry,
  BillingCity, custom `Target_Account__c` for target accounts)
- contacts with `is_lead` → Lead (Company, Title, Email, Status, Country,
  LeadSource, IsConverted; no AccountId).
- `converted` people (the conversion label) → a Contact plus the converted Lead
  it came from (IsConverted, ConvertedContactId/ConvertedAccountId/ConvertedDate);
  their activities hang off the Contact, as after a real conversion.
- other contacts → Contact (AccountId, Title, Department, Email, MailingCountry…)
- generated outcomes (``syncd.sandbox.outcomes``) → Opportunity + OpportunityContactRole
  (``opportunities.py``); a Lead with a company that has one is converted on the day
  the opportunity opened (ConvertedOpportunityId), its activities then on the Contact
- call / support_ticket / demo_request → Task; meeting → Event (WhoId, ActivityDate)
- e-mail, webinar and event activities → Campaign + one CampaignMember per person
  (Status Sent/Opened/Clicked/Unsubscribed, Registered/Attended; HasResponded)
- a few sales Users own everything (OwnerId), round robin.

Every dateTime is stored at whole seconds (Salesforce's `dateTime` precision for
SystemModstamp and friends), so records generated within one second tie on
SystemModstamp as they do in a real org.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from syncd.sandbox.generator import Dataset, GenActivity, GenContact
from syncd.sandbox.outcomes import GenDeal, deals_for
from syncd.sandbox.salesforce.opportunities import add_opportunity
from syncd.sandbox.salesforce.store import Store

REPS = (("Dana", "Whitfield"), ("Marco", "Ferreira"), ("Aiko", "Tanaka"))
_EMAIL = {"email_open": "Opened", "email_click": "Clicked", "unsubscribe": "Unsubscribed"}
_RANK = {"Sent": 0, "Registered": 1, "Opened": 1, "Unsubscribed": 2, "Clicked": 3, "Attended": 4}
_RESPONDED = frozenset({"Clicked", "Attended"})


@dataclass(slots=True)
class _Member:
    status: str
    first: dt.datetime
    responded: dt.datetime | None


def _campaign_of(activity: GenActivity) -> tuple[str, str, str] | None:
    """(campaign name, campaign type, member status) for campaign activities."""
    name = activity.attrs.get("campaign")
    if activity.type in _EMAIL and name:
        return name, "Email", _EMAIL[activity.type]
    if activity.type in ("webinar_registered", "webinar_attended") and name:
        status = "Attended" if activity.type == "webinar_attended" else "Registered"
        return name, "Webinar", status
    if activity.type == "event_attended" and name:
        return name, "Conference", "Attended"
    return None


def _put(store: Store, sobject: str, values: dict[str, Any]) -> str:
    """Insert with every dateTime truncated to the second."""
    whole = {
        k: v.replace(microsecond=0) if isinstance(v, dt.datetime) else v for k, v in values.items()
    }
    return store.insert(sobject, whole)


def seed_dataset(store: Store, data: Dataset) -> dict[str, str]:
    """Insert every record of `data`; returns generator key → Salesforce Id."""
    ids: dict[str, str] = {}
    owners = [
        _put(
            store,
            "User",
            {
                "FirstName": first,
                "LastName": last,
                "Username": f"{first.lower()}.{last.lower()}@syncd.example",
                "Email": f"{first.lower()}.{last.lower()}@syncd.example",
                "Alias": (first[0] + last[:4]).lower(),
                "Title": "Account Executive",
                "IsActive": True,
            },
        )
        for first, last in REPS
    ]

    def owner(n: int) -> str:
        return owners[n % len(owners)]

    for n, co in enumerate(data.companies):
        ids[co.key] = _put(
            store,
            "Account",
            {
                "Name": co.name,
                "Website": f"https://{co.domain}",
                "Industry": co.industry,
                "NumberOfEmployees": co.employees,
                "BillingCountry": co.country,
                "BillingCity": co.city,
                "Target_Account__c": co.is_target,
                "Type": "Prospect",
                "OwnerId": owner(n),
                "CreatedDate": co.created_at,
                "LastModifiedDate": co.modified_at,
                "SystemModstamp": co.modified_at,
            },
        )
    who: dict[str, tuple[str, str]] = {}  # contact key → (sObject, Id) activities attach to
    deal_of = {d.contact_key: d for d in deals_for(data)}
    for n, person in enumerate(data.contacts):
        deal = deal_of.get(person.key)
        who[person.key] = _insert_person(store, data, person, ids, owner(n), deal)
    members: dict[tuple[str, str], _Member] = {}
    campaigns: dict[str, tuple[str, dt.datetime, dt.datetime]] = {}
    for n, activity in enumerate(data.activities):
        target = who.get(activity.contact_key)
        if target is None:
            continue
        found = _campaign_of(activity)
        if found is not None:
            name, kind, status = found
            _, first, last = campaigns.get(name, (kind, activity.at, activity.at))
            campaigns[name] = (kind, min(first, activity.at), max(last, activity.at))
            member = members.get((name, activity.contact_key))
            if member is None:
                member = _Member("Sent" if kind == "Email" else status, activity.at, None)
                members[(name, activity.contact_key)] = member
            if _RANK[status] > _RANK[member.status]:
                member.status = status
            if status in _RESPONDED and (
                member.responded is None or activity.at < member.responded
            ):
                member.responded = activity.at
            continue
        _insert_activity(store, activity, target, owner(n))
    campaign_ids: dict[str, str] = {}
    for n, (name, (kind, first, last)) in enumerate(sorted(campaigns.items())):
        campaign_ids[name] = _put(
            store,
            "Campaign",
            {
                "Name": name[:80],
                "Type": kind,
                "Status": "Completed" if last < data.now - dt.timedelta(days=30) else "In Progress",
                "StartDate": first.date(),
                "EndDate": last.date(),
                "IsActive": True,
                "OwnerId": owner(n),
                "CreatedDate": first - dt.timedelta(days=1),
            },
        )
    for (name, contact_key), member in members.items():
        sobject, person_id = who[contact_key]
        _put(
            store,
            "CampaignMember",
            {
                "CampaignId": campaign_ids[name],
                "LeadId": person_id if sobject == "Lead" else None,
                "ContactId": person_id if sobject == "Contact" else None,
                "Type": sobject,
                "Status": member.status,
                "HasResponded": member.responded is not None,
                "FirstRespondedDate": member.responded.date() if member.responded else None,
                "CreatedDate": member.first,
                "LastModifiedDate": member.responded or member.first,
                "SystemModstamp": member.responded or member.first,
            },
        )
    for person in data.contacts:
        ids[person.key] = who[person.key][1]
    return ids


def _insert_person(
    store: Store,
    data: Dataset,
    person: GenContact,
    ids: dict[str, str],
    owner_id: str,
    deal: GenDeal | None = None,
) -> tuple[str, str]:
    stamps: dict[str, Any] = {
        "CreatedDate": person.created_at,
        "LastModifiedDate": person.modified_at,
        "SystemModstamp": person.modified_at,
    }
    account_id = ids.get(person.company_key) if person.company_key else None
    city = data.company(person.company_key).city if person.company_key else None
    contact: dict[str, Any] = {
        "FirstName": person.first_name,
        "LastName": person.last_name,
        "Title": person.title,
        "Department": person.department,
        "Email": person.email,
        "Phone": person.phone,
        "MailingCountry": person.country,
        "MailingCity": city,
        "AccountId": account_id,
        "LeadSource": "Web",
        "OwnerId": owner_id,
        **stamps,
    }
    if not person.is_lead and not person.converted:
        contact_id = _put(store, "Contact", contact)
        if deal is not None:
            add_opportunity(
                store,
                deal,
                account_id=account_id,
                contact_id=contact_id,
                title=person.title,
                owner_id=owner_id,
            )
        return "Contact", contact_id
    lead: dict[str, Any] = {
        "FirstName": person.first_name,
        "LastName": person.last_name,
        "Company": person.company_name or "[not provided]",
        "Title": person.title,
        "Email": person.email,
        "Phone": person.phone,
        "Status": person.lead_status,
        "Country": person.country,
        "City": city,
        "LeadSource": "Web",
        "OwnerId": owner_id,
        **stamps,
    }
    if person.company_key:
        company = data.company(person.company_key)
        lead.update(
            Industry=company.industry,
            NumberOfEmployees=company.employees,
            Website=f"https://{company.domain}",
        )
    converts = deal is not None and account_id is not None
    if not person.converted and not converts:
        return "Lead", _put(store, "Lead", lead)
    converted_on = person.modified_at
    opportunity_id = None
    if deal is not None and converts:  # the opportunity converts the lead
        converted_on = deal.created_at
        later = max(person.modified_at, deal.created_at)
        contact.update(CreatedDate=deal.created_at, LastModifiedDate=later, SystemModstamp=later)
        lead.update(LastModifiedDate=later, SystemModstamp=later)
    contact_id = _put(store, "Contact", contact)
    if deal is not None and converts:
        opportunity_id = add_opportunity(
            store,
            deal,
            account_id=account_id,
            contact_id=contact_id,
            title=person.title,
            owner_id=owner_id,
        )
    lead.update(
        IsConverted=True,
        ConvertedContactId=contact_id,
        ConvertedAccountId=account_id,
        ConvertedOpportunityId=opportunity_id,
        ConvertedDate=converted_on.date(),
        Status="Closed - Converted",
    )
    _put(store, "Lead", lead)
    return "Contact", contact_id


def _insert_activity(
    store: Store, activity: GenActivity, target: tuple[str, str], owner_id: str
) -> None:
    _, who_id = target
    common = {
        "WhoId": who_id,
        "OwnerId": owner_id,
        "ActivityDate": activity.at.date(),
        "CreatedDate": activity.at,
        "LastModifiedDate": activity.at,
        "SystemModstamp": activity.at,
    }
    if activity.type == "meeting":
        _put(
            store,
            "Event",
            {
                **common,
                "Subject": activity.attrs.get("subject", "Meeting")[:255],
                "Type": "Meeting",
                "ActivityDateTime": activity.at,
                "StartDateTime": activity.at,
                "EndDateTime": activity.at + dt.timedelta(minutes=30),
                "DurationInMinutes": 30,
            },
        )
    elif activity.type == "call":
        _put(
            store,
            "Task",
            {
                **common,
                "Subject": ("Call: " + activity.attrs.get("subject", ""))[:255].rstrip(": "),
                "Type": "Call",
                "TaskSubtype": "Call",
                "Status": "Completed",
                "CallDurationInSeconds": 600,
            },
        )
    elif activity.type in ("support_ticket", "demo_request"):
        subject = (
            f"Support: {activity.attrs.get('category', 'request')}"
            if activity.type == "support_ticket"
            else "Demo request"
        )
        _put(
            store,
            "Task",
            {
                **common,
                "Subject": subject,
                "Type": "Other",
                "TaskSubtype": "Task",
                "Status": "Completed",
            },
        )
