"""Email events, forms, submissions and web events of the fake HubSpot, plus generator seeding.

Email events, forms and submissions are read with `requests` (the SDK's forms models
require a full form definition, and it has no legacy email-events client); web events
go through the SDK's `events_api`.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from hubspot import HubSpot

from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer

AUTH = {"Authorization": "Bearer sandbox-token"}
T = 1_790_000_000_000  # ms


@pytest.fixture()
def app() -> HubSpotSandbox:
    sandbox = HubSpotSandbox(rate_limits=False)
    store = sandbox.store
    for i in range(12):
        store.add_email_event("OPEN", f"p{i % 3}@x.io", T + i * 1000, campaign="Nov webinar")
    store.add_email_event("CLICK", "p0@x.io", T + 50_000, url="https://v.io/demo", campaign="Nov")
    store.add_email_event("STATUSCHANGE", "p1@x.io", T + 60_000)
    form = store.add_form("Vehicle interest")
    store.add_form("Contact us")
    for i in range(7):
        store.add_submission(form, T + i, {"email": f"p{i}@x.io"}, page_url="https://v.io/cars")
    contact = store.add("contacts", {"email": "p0@x.io"})
    for i in range(5):
        store.add_page_view(contact, T + i * 1000, f"https://v.io/page{i}")
    store.add_page_view("42", T, "https://v.io/other")
    return sandbox


def _get(server: SandboxServer, path: str, **params: Any) -> Any:
    answer = requests.get(f"{server.url}{path}", params=params, headers=AUTH, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_email_events_offset_paging_and_filters(server: SandboxServer) -> None:
    seen: list[dict[str, Any]] = []
    offset = None
    while True:
        page = _get(
            server,
            "/email/public/v1/events",
            eventType="OPEN",
            limit=5,
            startTimestamp=T,
            endTimestamp=T + 100_000,
            offset=offset,
        )
        seen += page["events"]
        if not page["hasMore"]:
            break
        offset = page["offset"]
    assert len(seen) == 12 and len({e["id"] for e in seen}) == 12
    assert [e["created"] for e in seen] == sorted((e["created"] for e in seen), reverse=True)
    clicks = _get(server, "/email/public/v1/events", eventType="CLICK")["events"]
    assert clicks[0]["url"] == "https://v.io/demo" and clicks[0]["recipient"] == "p0@x.io"
    unsub = _get(server, "/email/public/v1/events", eventType="STATUSCHANGE")["events"][0]
    assert unsub["portalSubscriptionStatus"] == "UNSUBSCRIBED"
    campaign = _get(server, f"/email/public/v1/campaigns/{seen[0]['emailCampaignId']}")
    assert campaign["name"] == "Nov webinar"
    mine = _get(server, "/email/public/v1/events", recipient="p2@x.io")["events"]
    assert len(mine) == 4
    window = _get(
        server, "/email/public/v1/events", startTimestamp=T + 11_000, endTimestamp=T + 11_000
    )
    assert len(window["events"]) == 1


def test_forms_and_submissions_paging(server: SandboxServer) -> None:
    forms = _get(server, "/marketing/v3/forms", limit=1)
    assert len(forms["results"]) == 1 and forms["paging"]["next"]["after"]
    all_forms = _get(server, "/marketing/v3/forms")["results"]
    by_name = {f["name"]: f["id"] for f in all_forms}
    assert set(by_name) == {"Vehicle interest", "Contact us"}
    got: list[dict[str, Any]] = []
    after = None
    path = f"/form-integrations/v1/submissions/forms/{by_name['Vehicle interest']}"
    while True:
        page = _get(server, path, limit=3, after=after)
        got += page["results"]
        if "paging" not in page:
            break
        after = page["paging"]["next"]["after"]
    assert len(got) == 7 and len({s["conversionId"] for s in got}) == 7
    assert got[0]["values"][0] == {"name": "email", "value": "p6@x.io", "objectTypeId": "0-1"}
    bad = requests.get(f"{server.url}{path}", params={"limit": 51}, headers=AUTH, timeout=5)
    assert bad.status_code == 400
    missing = requests.get(
        f"{server.url}/form-integrations/v1/submissions/forms/nope", headers=AUTH, timeout=5
    )
    assert missing.status_code == 404


def test_web_events_through_the_sdk(server: SandboxServer, app: HubSpotSandbox) -> None:
    hs = HubSpot(access_token="sandbox-token", host=server.url)
    events = hs.events.events_api
    contact = app.store.live("contacts")[0].id
    urls: list[str] = []
    after = None
    while True:
        page = events.get_page(
            object_type="contact",
            object_id=int(contact),
            event_type="e_visited_page",
            limit=2,
            after=after,
        )
        urls += [e.properties["hs_url"] for e in page.results]
        if page.paging is None:
            break
        after = page.paging.next.after
    assert urls == [f"https://v.io/page{i}" for i in range(5)]


def test_seed_from_generator() -> None:
    dataset = generate(7, 40, datetime(2026, 11, 1, tzinfo=UTC))
    app = HubSpotSandbox(dataset, rate_limits=False)
    store = app.store
    assert store.count("contacts") == len(dataset.contacts)
    assert store.count("companies") == len(dataset.companies)
    kinds = Counter(a.type for a in dataset.activities)
    assert len(store.page_views) == kinds["page_view"]
    types = Counter(e.type for e in store.email_events if not e.filtered)
    assert types["OPEN"] == kinds["email_open"] and types["CLICK"] == kinds["email_click"]
    machine = Counter(e.type for e in store.email_events if e.filtered)
    assert machine["OPEN"] > 0 and set(machine) <= {"OPEN", "CLICK"}
    assert types["DELIVERED"] == kinds["email_open"] + kinds["email_click"]
    assert {"PROCESSED", "SENT", "DEFERRED"} <= set(types)
    industries = {r.properties.get("industry", "") for r in store.live("companies")}
    assert industries and all(i == "" or i.isupper() for i in industries)
    assert {"COMPUTER_SOFTWARE", "INFORMATION_TECHNOLOGY_AND_SERVICES"} & industries
    assert types["STATUSCHANGE"] == kinds["unsubscribe"]
    assert store.count("calls") == kinds["call"]
    with_company = [c for c in dataset.contacts if c.company_key is not None]
    with SandboxServer(app) as srv:
        hs = HubSpot(access_token="sandbox-token", host=srv.url)
        ids = [r.id for r in hs.crm.contacts.basic_api.get_page(limit=100).results]
        assert len(ids) == len(dataset.contacts)
        answer = hs.crm.associations.v4.batch_api.get_page(
            "contacts",
            "companies",
            batch_input_public_fetch_associations_batch_request={
                "inputs": [{"id": i} for i in ids]
            },
        )
        assert len(answer.results) == len(with_company)
        one = with_company[0]
        found = hs.crm.contacts.search_api.do_search(
            public_object_search_request={
                "filterGroups": [
                    {"filters": [{"propertyName": "email", "operator": "EQ", "value": one.email}]}
                ],
                "properties": ["jobtitle", "occupation", "department", "lifecyclestage"],
            }
        )
        assert found.total == 1
        assert found.results[0].properties["jobtitle"] == one.title
        engaged = hs.crm.objects.calls.basic_api.get_page(limit=100, properties=["hs_call_title"])
        assert len(engaged.results) == min(100, kinds["call"])
