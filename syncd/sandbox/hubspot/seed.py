"""Turn a generated `Dataset` into HubSpot records.

Where each canonical activity lands (what a HubSpot connector must read back):

| activity                              | HubSpot representation                               |
|---------------------------------------|------------------------------------------------------|
| page_view                             | web event `e_visited_page` (hs_url) on the contact    |
| email_open / email_click / unsubscribe| email events OPEN / CLICK (url) / STATUSCHANGE        |
|                                       | (plus PROCESSED/SENT/DELIVERED per send and machine   |
|                                       | OPEN/CLICK with filteredEvent, DEFERRED, BOUNCE,      |
|                                       | SPAMREPORT that a connector must not count)           |
| email_reply                           | `emails` engagement, hs_email_direction INCOMING_EMAIL|
| form_submit                           | submission of the form named by `form`                |
| content_download                      | submission of form "Content download: <kind>" with    |
|                                       | fields `asset` and `content_type`                     |
| webinar_registered                    | submission of form "Webinar registration: <campaign>"|
| demo_request / trial_signup           | submission of form "Demo request" / "Free trial"     |
| meeting / call                        | `meetings` / `calls` engagement (title = subject)     |
| webinar_attended / event_attended     | `meetings` engagement titled "Webinar: …"/"Event: …", |
|                                       | outcome COMPLETED                                     |
| chat / support_ticket / product_usage | `notes` engagement, body "<type>: key=value; …"       |
| (demo_request also)                   | a `tasks` follow-up for the owner                     |

Engagements are associated to their contact; contacts to their company (primary).
Generated outcomes (``syncd.sandbox.outcomes``) become deals associated to their contact
and the contact's lifecycle stage with its dates (``syncd.sandbox.hubspot.deals``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from syncd.sandbox.hubspot import deals
from syncd.sandbox.hubspot.schema import INDUSTRY_BY_NAME, LEAD_STATUSES, LIFECYCLE_STAGES
from syncd.sandbox.hubspot.store import Store
from syncd.sandbox.outcomes import deals_for

if TYPE_CHECKING:
    from syncd.sandbox.generator import Dataset, GenActivity


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _lead_status(value: str) -> str:
    code = value.strip().upper().replace(" ", "_").replace("-", "_")
    return code if code in LEAD_STATUSES else ""


def _stage(value: str) -> str:
    code = value.strip().lower().replace(" ", "").replace("_", "")
    return code if code in LIFECYCLE_STAGES else ("other" if code else "")


def _industry_code(name: str, key: str) -> str:
    """One of HubSpot's industry codes for a generator industry, stable per company."""
    codes = INDUSTRY_BY_NAME.get(name)
    if not codes:
        return ""
    return codes[sum(map(ord, key)) % len(codes)]


def _describe(kind: str, attrs: Mapping[str, str]) -> str:
    bits = "; ".join(f"{k}={v}" for k, v in sorted(attrs.items()))
    return f"{kind}: {bits}" if bits else kind


#: One company in this many is seeded with a website but no domain.
WEBSITE_ONLY = 5


def seed(store: Store, dataset: Dataset) -> dict[str, str]:
    """Load `dataset` into `store`; returns generator key -> HubSpot id (companies, contacts)."""
    ids: dict[str, str] = {}
    generated_deals = deals_for(dataset)
    deal_of = {d.contact_key: d for d in generated_deals}
    for index, co in enumerate(dataset.companies):
        # every company has a website; one in WEBSITE_ONLY has no domain (the
        # connector then derives the domain from the website)
        website_only = index % WEBSITE_ONLY == WEBSITE_ONLY - 1
        ids[co.key] = store.add(
            "companies",
            {
                "name": co.name,
                "domain": "" if website_only else co.domain,
                "website": f"https://www.{co.domain}/" if co.domain else "",
                "industry": _industry_code(co.industry, co.key),
                "numberofemployees": str(co.employees),
                "country": co.country,
                "city": co.city,
                "hs_is_target_account": "true" if co.is_target else "false",
            },
            created_ms=ms(co.created_at),
            modified_ms=ms(co.modified_at),
        )
    for person in dataset.contacts:
        props = {
            "firstname": person.first_name,
            "lastname": person.last_name,
            "email": person.email,
            "jobtitle": person.title,
            "department": person.department,
            "job_function": person.department,
            "occupation": person.occupation,
            "phone": person.phone,
            "company": person.company_name,
            "country": person.country,
            "hs_lead_status": _lead_status(person.lead_status),
            **deals.lifecycle(person, deal_of.get(person.key), _stage(person.lifecycle_stage)),
        }
        cid = store.add(
            "contacts",
            {k: v for k, v in props.items() if v},
            created_ms=ms(person.created_at),
            modified_ms=ms(person.modified_at),
        )
        ids[person.key] = cid
        if person.company_key is not None and person.company_key in ids:
            store.associate("contacts", cid, "companies", ids[person.company_key], primary=True)
            store.records["contacts"][cid].properties["associatedcompanyid"] = ids[
                person.company_key
            ]
    deals.seed_deals(store, generated_deals, ids)
    people = {p.key: p for p in dataset.contacts}
    for act in dataset.activities:
        contact = people.get(act.contact_key)
        contact_id = ids.get(act.contact_key)
        if contact is None or contact_id is None:
            continue
        _activity(store, act, contact_id, contact.email, contact.first_name, contact.last_name)
    return ids


def _email_send(store: Store, email: str, at: int, campaign: str) -> None:
    """The send events around a person's open or click, with the machine traffic a real
    portal sees: mail-privacy pre-fetch opens and link-scanner clicks (`filteredEvent`),
    deferrals and the odd bounce."""
    sent = at - 3_600_000
    n = len(store.email_events)
    store.add_email_event("PROCESSED", email, sent - 2000, campaign=campaign)
    store.add_email_event("SENT", email, sent - 1000, campaign=campaign)
    if n % 11 == 0:
        store.add_email_event("DEFERRED", email, sent - 500, campaign=campaign)
    store.add_email_event("DELIVERED", email, sent, campaign=campaign)
    if n % 3 == 0:  # Apple Mail Privacy Protection fetches on delivery
        store.add_email_event("OPEN", email, sent + 1000, campaign=campaign, filtered=True)
    if n % 7 == 0:  # a security gateway scanning links
        url = "https://example.com/unsubscribe-check"
        store.add_email_event(
            "CLICK", email, sent + 2000, campaign=campaign, url=url, filtered=True
        )
    if n % 29 == 0:
        store.add_email_event("BOUNCE", email, sent + 3000, campaign=campaign)


def _engagement(store: Store, kind: str, cid: str, at: int, props: Mapping[str, str]) -> str:
    eid = store.add(kind, {"hs_timestamp": str(at), **props}, created_ms=at)
    store.associate(kind, eid, "contacts", cid)
    return eid


def _activity(store: Store, act: GenActivity, cid: str, email: str, first: str, last: str) -> None:
    at = ms(act.at)
    attrs = dict(act.attrs)
    campaign = attrs.get("campaign", "Newsletter")
    person = {"email": email, "firstname": first, "lastname": last}
    kind = act.type
    if kind == "page_view":
        url = attrs.get("url", "")
        store.add_page_view(cid, at, url, title=url.rsplit("/", 1)[-1] or "Home")
    elif kind in ("email_open", "email_click"):
        _email_send(store, email, at, campaign)
        if kind == "email_open":
            store.add_email_event("OPEN", email, at, campaign=campaign)
        else:
            store.add_email_event("CLICK", email, at, campaign=campaign, url=attrs.get("url"))
    elif kind == "unsubscribe":
        store.add_email_event("STATUSCHANGE", email, at, campaign=campaign)
        if len(store.email_events) % 5 == 0:
            store.add_email_event("SPAMREPORT", email, at, campaign=campaign)
    elif kind == "email_reply":
        _engagement(
            store,
            "emails",
            cid,
            at,
            {
                "hs_email_subject": f"Re: {campaign}",
                "hs_email_direction": "INCOMING_EMAIL",
                "hs_email_text": "Thanks, let's talk.",
                "hs_email_status": "SENT",
            },
        )
    elif kind in (
        "form_submit",
        "content_download",
        "webinar_registered",
        "demo_request",
        "trial_signup",
    ):
        values = dict(person)
        if kind == "form_submit":
            form = attrs.get("form", "Contact us")
        elif kind == "content_download":
            form = f"Content download: {attrs.get('kind', 'content')}"
            values.update(asset=attrs.get("asset", ""), content_type=attrs.get("kind", ""))
        elif kind == "webinar_registered":
            form = f"Webinar registration: {campaign}"
        elif kind == "demo_request":
            form = "Demo request"
            _engagement(
                store,
                "tasks",
                cid,
                at,
                {
                    "hs_task_subject": f"Follow up demo request from {email}",
                    "hs_task_status": "NOT_STARTED",
                    "hs_task_type": "CALL",
                },
            )
        else:
            form = "Free trial"
        store.add_submission(store.add_form(form), at, values, page_url=attrs.get("url", ""))
    elif kind == "meeting":
        _engagement(
            store,
            "meetings",
            cid,
            at,
            {
                "hs_meeting_title": attrs.get("subject", "Meeting"),
                "hs_meeting_start_time": str(at),
                "hs_meeting_end_time": str(at + 1_800_000),
                "hs_meeting_outcome": "COMPLETED",
            },
        )
    elif kind in ("webinar_attended", "event_attended"):
        label = "Webinar" if kind == "webinar_attended" else "Event"
        _engagement(
            store,
            "meetings",
            cid,
            at,
            {
                "hs_meeting_title": f"{label}: {campaign}",
                "hs_meeting_outcome": "COMPLETED",
                "hs_meeting_start_time": str(at),
                "hs_meeting_end_time": str(at + 3_600_000),
            },
        )
    elif kind == "call":
        _engagement(
            store,
            "calls",
            cid,
            at,
            {
                "hs_call_title": attrs.get("subject", "Call"),
                "hs_call_direction": "OUTBOUND",
                "hs_call_duration": "600000",
                "hs_call_status": "COMPLETED",
            },
        )
    else:  # chat, support_ticket, product_usage and any type without a native home
        _engagement(store, "notes", cid, at, {"hs_note_body": _describe(kind, attrs)})
