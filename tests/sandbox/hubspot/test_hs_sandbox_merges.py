"""Contact merges in the fake portal, through the real SDK: a new record with a new id
that both old ids answer, the primary's values first, the secondary's address among the
additional addresses, engagements, companies and page views following the new record,
and neither old record listed, searchable or archived."""

from __future__ import annotations

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import PublicObjectSearchRequest

from syncd.sandbox.hubspot import HubSpotSandbox
from tests.kit.clock import ManualClock


@pytest.fixture()
def app() -> HubSpotSandbox:
    clock = ManualClock()
    return HubSpotSandbox(clock=clock, sleep=clock.sleep)


def test_a_merge_makes_a_new_record_with_both_timelines(hs: HubSpot, app: HubSpotSandbox) -> None:
    s = app.store
    a = s.add("contacts", {"email": "a@acme.io", "jobtitle": "CEO", "lifecyclestage": "lead"})
    b = s.add(
        "contacts",
        {"email": "b@acme.io", "jobtitle": "VP", "city": "Izmir", "lifecyclestage": "customer"},
    )
    company = s.add("companies", {"name": "Acme"})
    s.associate("contacts", b, "companies", company, primary=True)
    call = s.add("calls", {"hs_call_title": "Intro"})
    s.associate("calls", call, "contacts", b)
    s.add_page_view(a, s.now_ms() - 10, "https://acme.example/a")
    s.add_page_view(b, s.now_ms() - 5, "https://acme.example/b")

    new = s.merge("contacts", a, b).id
    assert new not in (a, b)
    got = hs.crm.contacts.basic_api.get_by_id(
        b,
        properties=[
            "email",
            "jobtitle",
            "city",
            "lifecyclestage",
            "hs_additional_emails",
            "hs_merged_object_ids",
            "hs_analytics_num_page_views",
        ],
    )
    p = got.properties
    assert got.id == new
    assert (p["email"], p["jobtitle"], p["city"]) == ("a@acme.io", "CEO", "Izmir")
    assert p["lifecyclestage"] == "customer"  # furthest down the funnel
    assert p["hs_additional_emails"] == "b@acme.io"
    assert p["hs_merged_object_ids"] == f"{a};{b}"
    assert p["hs_analytics_num_page_views"] == "2"
    assert set(s.associations("calls", call, "contacts")) == {new}
    assert set(s.associations("contacts", new, "companies")) == {company}
    assert {v.contact_id for v in s.page_views} == {new}
    listed = {r.id for r in hs.crm.contacts.basic_api.get_page(limit=100).results}
    archived = hs.crm.contacts.basic_api.get_page(limit=100, archived=True).results
    assert listed == {new} and archived == []
    app.store.search_lag_ms = 0
    found = hs.crm.contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(limit=100)
    )
    assert [r.id for r in found.results] == [new]
