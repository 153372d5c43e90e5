"""Fidelity of the fake HubSpot where a lenient fake would hide connector bugs (issue #6)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.contacts import ApiException

from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.app import OAuthApp
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0

AUTH = {"Authorization": "Bearer sandbox-token"}


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture()
def app(clock: ManualClock) -> HubSpotSandbox:
    oauth = OAuthApp("cid", "csecret", "refresh-1", token_ttl_s=60)
    sandbox = HubSpotSandbox(clock=clock, oauth=oauth, associations_per_input_page=3)
    old = int(T0 * 1000) - 3_600_000
    for i in range(5):
        sandbox.store.add("contacts", {"email": f"p{i}@x.io"}, created_ms=old + i)
    return sandbox


def _ids(answer: Any) -> list[str]:
    return [r.id for r in answer.results]


def test_search_answers_carry_no_rate_limit_headers(hs: HubSpot) -> None:
    _, status, headers = hs.crm.contacts.search_api.do_search_with_http_info(
        public_object_search_request={"limit": 1}
    )
    assert status == 200
    assert not [h for h in headers if h.lower().startswith("x-hubspot-ratelimit")]
    listed = hs.crm.contacts.basic_api.get_page_with_http_info(limit=1)[2]
    assert "X-HubSpot-RateLimit-Daily-Remaining" in listed


def test_oauth_tokens_expire_and_oauth_calls_get_no_daily_headers(
    server: SandboxServer, clock: ManualClock
) -> None:
    url = f"{server.url}/oauth/v1/token"
    form = {
        "grant_type": "refresh_token",
        "client_id": "cid",
        "client_secret": "csecret",
        "refresh_token": "refresh-1",
    }
    bad = requests.post(url, data={**form, "refresh_token": "nope"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["status"] == "BAD_REFRESH_TOKEN"
    issued = requests.post(url, data=form, timeout=5).json()
    assert issued["expires_in"] == 60 and issued["token_type"] == "bearer"
    hs = HubSpot(access_token=issued["access_token"], host=server.url)
    headers = hs.crm.contacts.basic_api.get_page_with_http_info(limit=1)[2]
    assert "X-HubSpot-RateLimit-Max" in headers
    assert not [h for h in headers if "daily" in h.lower()]
    clock.advance(61)
    with pytest.raises(ApiException) as err:
        hs.crm.contacts.basic_api.get_page(limit=1)
    assert err.value.status == 401 and "EXPIRED_AUTHENTICATION" in err.value.body


def test_search_index_lags_writes(hs: HubSpot, app: HubSpotSandbox, clock: ManualClock) -> None:
    search = hs.crm.contacts.search_api.do_search
    by_title = {
        "filterGroups": [
            {"filters": [{"propertyName": "jobtitle", "operator": "EQ", "value": "CEO"}]}
        ],
        "properties": ["jobtitle"],
    }
    first = app.store.live("contacts")[0].id
    app.store.update("contacts", first, {"jobtitle": "CEO"})
    fresh = app.store.add("contacts", {"email": "new@x.io", "jobtitle": "CEO"})
    assert search(public_object_search_request=by_title).total == 0
    assert search(public_object_search_request={"limit": 100}).total == 5  # old version only
    assert fresh in _ids(hs.crm.contacts.basic_api.get_page(limit=100))  # lists see it at once
    clock.advance(2.9)
    assert search(public_object_search_request=by_title).total == 0
    clock.advance(0.2)
    assert sorted(_ids(search(public_object_search_request=by_title))) == sorted([first, fresh])


def test_search_accepts_one_sort_only(hs: HubSpot) -> None:
    sorts = [
        {"propertyName": "email", "direction": "ASCENDING"},
        {"propertyName": "hs_object_id", "direction": "ASCENDING"},
    ]
    with pytest.raises(ApiException) as err:
        hs.crm.contacts.search_api.do_search(public_object_search_request={"sorts": sorts})
    assert err.value.status == 400 and "one sorting rule" in err.value.body


def test_property_groups_create_409_and_hold_properties(hs: HubSpot) -> None:
    groups = hs.crm.properties.groups_api
    created = groups.create("contacts", property_group_create={"name": "syncd", "label": "syncd"})
    assert created.name == "syncd"
    from hubspot.crm.properties import ApiException as PropertiesError

    with pytest.raises(PropertiesError) as err:
        groups.create("contacts", property_group_create={"name": "syncd", "label": "again"})
    assert err.value.status == 409
    assert "syncd" in {g.name for g in groups.get_all("contacts").results}
    spec = {
        "name": "syncd_score",
        "label": "Score",
        "type": "number",
        "fieldType": "number",
        "groupName": "syncd",
    }
    prop = hs.crm.properties.core_api.create("contacts", property_create=spec)
    assert prop.group_name == "syncd"
    with pytest.raises(PropertiesError) as err:
        hs.crm.properties.core_api.create(
            "companies", property_create={**spec, "name": "syncd_account_score"}
        )
    assert err.value.status == 400  # the group exists for contacts only


def test_email_events_are_flagged_and_offsets_opaque(
    server: SandboxServer, app: HubSpotSandbox
) -> None:
    for i in range(4):
        app.store.add_email_event("OPEN", "p0@x.io", 1000 + i, filtered=i == 0)
    app.store.add_email_event("DELIVERED", "p0@x.io", 900)
    answer = requests.get(
        f"{server.url}/email/public/v1/events", params={"limit": 2}, headers=AUTH, timeout=5
    ).json()
    assert answer["hasMore"] is True
    assert not answer["offset"].isdigit()
    rest = requests.get(
        f"{server.url}/email/public/v1/events",
        params={"limit": 10, "offset": answer["offset"]},
        headers=AUTH,
        timeout=5,
    ).json()
    events = answer["events"] + rest["events"]
    assert len(events) == 5 and all("filteredEvent" in e for e in events)
    assert sum(e["filteredEvent"] for e in events) == 1
    forged = requests.get(
        f"{server.url}/email/public/v1/events", params={"offset": "2"}, headers=AUTH, timeout=5
    )
    assert forged.status_code == 400


def test_forms_submissions_and_web_events_tokens_are_opaque(
    server: SandboxServer, app: HubSpotSandbox
) -> None:
    contact = app.store.live("contacts")[0].id
    form = app.store.add_form("Demo request")
    app.store.add_form("Contact us")
    for i in range(3):
        app.store.add_submission(form, 1000 + i, {"email": "p0@x.io"})
        app.store.add_page_view(contact, 1000 + i, f"https://v.io/{i}")
    listings: list[tuple[str, dict[str, str | int]]] = [
        ("/marketing/v3/forms", {"limit": 1}),
        (f"/form-integrations/v1/submissions/forms/{form}", {"limit": 1}),
        ("/events/v3/events", {"limit": 1, "objectType": "contact", "objectId": contact}),
    ]
    for path, params in listings:
        page = requests.get(f"{server.url}{path}", params=params, headers=AUTH, timeout=5).json()
        token = page["paging"]["next"]["after"]
        assert not token.isdigit(), path
        nxt = requests.get(
            f"{server.url}{path}", params={**params, "after": token}, headers=AUTH, timeout=5
        )
        assert nxt.status_code == 200 and nxt.json()["results"] != page["results"]


def test_v4_association_read_pages_per_input(hs: HubSpot, app: HubSpotSandbox) -> None:
    contacts = [r.id for r in app.store.live("contacts")]
    meetings = [app.store.add("meetings", {"hs_meeting_title": f"m{i}"}) for i in range(5)]
    for meeting in meetings:
        app.store.associate("meetings", meeting, "contacts", contacts[0])
    app.store.associate("meetings", meetings[0], "contacts", contacts[1])
    batch = hs.crm.associations.v4.batch_api

    def read(inputs: list[dict[str, str]]) -> Any:
        return batch.get_page(
            "contacts",
            "meetings",
            batch_input_public_fetch_associations_batch_request={"inputs": inputs},
        )

    answer = read([{"id": contacts[0]}, {"id": contacts[1]}])
    by_id = {r._from.id: r for r in answer.results}
    assert len(by_id[contacts[0]].to) == 3 and by_id[contacts[0]].paging is not None
    assert len(by_id[contacts[1]].to) == 1 and by_id[contacts[1]].paging is None
    token = by_id[contacts[0]].paging.next.after
    more = read([{"id": contacts[0], "after": token}]).results[0]
    assert more.paging is None
    seen = {str(t.to_object_id) for t in [*by_id[contacts[0]].to, *more.to]}
    assert seen == set(meetings)


def test_v3_associations_label_primary_and_unlabeled(hs: HubSpot, app: HubSpotSandbox) -> None:
    contact = app.store.live("contacts")[0].id
    main = app.store.add("companies", {"name": "Main"})
    side = app.store.add("companies", {"name": "Side"})
    app.store.associate("contacts", contact, "companies", main, primary=True)
    app.store.associate("contacts", contact, "companies", side)
    got = hs.crm.contacts.basic_api.get_by_id(contact, associations=["companies"])
    links = {(a.id, a.type) for a in got.associations["companies"].results}
    assert links == {
        (main, "contact_to_company"),
        (main, "contact_to_company_unlabeled"),
        (side, "contact_to_company_unlabeled"),
    }


def test_company_industry_is_an_enumeration(hs: HubSpot, app: HubSpotSandbox) -> None:
    company = app.store.add("companies", {"name": "Acme"})
    answer = hs.crm.companies.batch_api.update(
        batch_input_simple_public_object_batch_input={
            "inputs": [{"id": company, "properties": {"industry": "Technology"}}]
        }
    )
    assert answer.errors and "INVALID_OPTION" in answer.errors[0].message
    ok = hs.crm.companies.batch_api.update(
        batch_input_simple_public_object_batch_input={
            "inputs": [{"id": company, "properties": {"industry": "COMPUTER_SOFTWARE"}}]
        }
    )
    assert not getattr(ok, "errors", None)


def test_invalid_value_fails_whole_batch_when_configured(hs: HubSpot, app: HubSpotSandbox) -> None:
    good, bad = (r.id for r in app.store.live("contacts")[:2])
    inputs = [
        {"id": good, "properties": {"hs_lead_status": "NEW"}},
        {"id": bad, "properties": {"hs_lead_status": "SOMETHING"}},
    ]
    body = {"inputs": inputs}
    answer = hs.crm.contacts.batch_api.update(batch_input_simple_public_object_batch_input=body)
    assert _ids(answer) == [good] and answer.errors[0].context == {"ids": [bad]}
    app.invalid_mode = "whole_batch"
    app.store.update("contacts", good, {"hs_lead_status": ""})
    with pytest.raises(ApiException) as err:
        hs.crm.contacts.batch_api.update(batch_input_simple_public_object_batch_input=body)
    assert err.value.status == 400 and "INVALID_OPTION" in err.value.body
    assert app.store.records["contacts"][good].properties["hs_lead_status"] == ""
