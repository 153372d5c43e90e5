"""The fake HubSpot's CRM object endpoints, driven through the real hubspot-api-client."""

from __future__ import annotations

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
)

from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.hubspot import HubSpotSandbox
from tests.kit.clock import ManualClock

T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture()
def app(clock: ManualClock) -> HubSpotSandbox:
    sandbox = HubSpotSandbox(rate_limits=False, clock=clock)
    for i in range(25):
        sandbox.store.add(
            "contacts",
            {"email": f"p{i}@acme.io", "firstname": f"P{i}", "jobtitle": "VP" if i % 5 else "CEO"},
            created_ms=int(T0 * 1000) - 100_000 + i * 1000,
        )
    return sandbox


def _all_pages(api: object, **kw: object) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        page = api.get_page(limit=7, after=after, **kw)  # type: ignore[attr-defined]
        ids += [r.id for r in page.results]
        if page.paging is None:
            return ids
        after = page.paging.next.after


def test_list_pages_to_the_end_each_record_once(hs: HubSpot, app: HubSpotSandbox) -> None:
    contacts = hs.crm.contacts.basic_api
    ids = _all_pages(contacts)
    assert len(ids) == 25 and len(set(ids)) == 25
    first = contacts.get_page(limit=1).results[0]
    assert set(first.properties) == {
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }
    chosen = contacts.get_page(limit=1, properties=["jobtitle"]).results[0].properties
    assert chosen["jobtitle"] == "CEO" and "email" not in chosen
    with pytest.raises(ApiException) as err:
        contacts.get_page(limit=101)
    assert err.value.status == 400


def test_archived_listing_returns_only_archived(hs: HubSpot, app: HubSpotSandbox) -> None:
    live = app.store.live("contacts")
    app.store.archive("contacts", live[0].id)
    app.store.archive("contacts", live[1].id)
    archived = hs.crm.contacts.basic_api.get_page(limit=100, archived=True).results
    assert {r.id for r in archived} == {live[0].id, live[1].id}
    assert all(r.archived for r in archived)
    assert len(_all_pages(hs.crm.contacts.basic_api)) == 23
    with pytest.raises(ApiException) as err:
        hs.crm.contacts.basic_api.get_by_id(live[0].id)
    assert err.value.status == 404


def test_merged_contact_disappears_survivor_lists_it(hs: HubSpot, app: HubSpotSandbox) -> None:
    a, b = (r.id for r in app.store.live("contacts")[:2])
    new = app.store.merge("contacts", a, b).id
    ids = _all_pages(hs.crm.contacts.basic_api)
    assert b not in ids and a not in ids and new in ids  # a merge makes a new record
    survivor = hs.crm.contacts.basic_api.get_by_id(new, properties=["hs_merged_object_ids"])
    assert survivor.properties["hs_merged_object_ids"] == f"{a};{b}"
    assert hs.crm.contacts.basic_api.get_by_id(b).id == new  # the old ids answer the survivor
    assert hs.crm.contacts.basic_api.get_by_id(a).id == new
    found = hs.crm.contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(limit=100)
    )
    assert found.total == 24 - 1  # the new record is not indexed yet


def test_search_filters_sorts_and_paging(hs: HubSpot, app: HubSpotSandbox) -> None:
    search = hs.crm.contacts.search_api.do_search

    def run(**body: object) -> list[str]:
        return [r.id for r in search(public_object_search_request=body).results]

    ids = [r.id for r in app.store.live("contacts")]
    assert (
        run(
            filterGroups=[
                {"filters": [{"propertyName": "jobtitle", "operator": "EQ", "value": "ceo"}]}
            ],
            limit=100,
        )
        == ids[::5]
    )
    group = {"filters": [{"propertyName": "hs_object_id", "operator": "GT", "value": ids[20]}]}
    other = {"filters": [{"propertyName": "email", "operator": "IN", "values": ["p0@acme.io"]}]}
    assert run(filterGroups=[group, other], limit=100) == [ids[0], *ids[21:]]
    window = {
        "propertyName": "createdate",
        "operator": "BETWEEN",
        "value": str(int(T0 * 1000) - 100_000 + 3000),
        "highValue": "2027-01-15T08:00:00.000Z",  # far later: ISO and ms mix
    }
    assert run(filterGroups=[{"filters": [window]}], limit=100) == ids[3:]
    desc = run(sorts=[{"propertyName": "hs_object_id", "direction": "DESCENDING"}], limit=3)
    assert desc == ids[::-1][:3]
    missing = {"filters": [{"propertyName": "lastname", "operator": "NOT_HAS_PROPERTY"}]}
    assert len(run(filterGroups=[missing], limit=100)) == 25
    seen: list[str] = []
    after = None
    while True:
        page = search(public_object_search_request={"limit": 10, "after": after})
        seen += [r.id for r in page.results]
        if page.paging is None:
            break
        after = page.paging.next.after
    assert seen == ids
    with pytest.raises(ApiException) as err:
        search(public_object_search_request={"limit": 201})
    assert err.value.status == 400


def test_search_caps_at_ten_thousand(hs: HubSpot, app: HubSpotSandbox, clock: ManualClock) -> None:
    app.store.add_many("contacts", ({"email": f"bulk{i}@x.io"} for i in range(10_000)))
    clock.now += 5  # past the search index lag
    search = hs.crm.contacts.search_api.do_search
    page = search(public_object_search_request={"limit": 200, "after": "9800"})
    assert page.total == 10_025 and len(page.results) == 200
    assert page.paging.next.after == "10000"
    straddling = search(public_object_search_request={"limit": 200, "after": "9900"})
    assert len(straddling.results) == 100  # one query never yields a 10,001st result
    with pytest.raises(ApiException) as err:
        search(public_object_search_request={"limit": 10, "after": page.paging.next.after})
    assert err.value.status == 400 and "10000" in err.value.body
    # the documented way out: a narrower query (ids above the last one seen)
    last = page.results[-1].id
    rest = {"filters": [{"propertyName": "hs_object_id", "operator": "GT", "value": last}]}
    tail = search(public_object_search_request={"filterGroups": [rest], "limit": 200})
    assert tail.total == 25


def test_batch_read_limits_and_unknown_ids(hs: HubSpot, app: HubSpotSandbox) -> None:
    batch = hs.crm.contacts.batch_api
    ids = [r.id for r in app.store.live("contacts")]
    body = BatchReadInputSimplePublicObjectId(
        inputs=[{"id": i} for i in [*ids[:3], "999999"]],
        properties=["email"],
        properties_with_history=[],
    )
    answer = batch.read(batch_read_input_simple_public_object_id=body)
    assert sorted(r.id for r in answer.results) == sorted(ids[:3])
    assert answer.errors[0].category == "OBJECT_NOT_FOUND"
    assert answer.errors[0].context == {"ids": ["999999"]}
    too_many = BatchReadInputSimplePublicObjectId(
        inputs=[{"id": str(i)} for i in range(101)], properties=[], properties_with_history=[]
    )
    with pytest.raises(ApiException) as err:
        batch.read(batch_read_input_simple_public_object_id=too_many)
    assert err.value.status == 400


def test_batch_update_partial_failure_applies_valid_inputs(
    hs: HubSpot, app: HubSpotSandbox, clock: ManualClock
) -> None:
    hs.crm.properties.core_api.create(
        "contacts",
        {
            "name": "syncd_score",
            "label": "Score",
            "type": "number",
            "fieldType": "number",
            "groupName": "contactinformation",
        },
    )
    ids = [r.id for r in app.store.live("contacts")]
    before = app.store.get("contacts", ids[0])
    assert before is not None
    stamp = before.properties["lastmodifieddate"]
    clock.advance(60)
    inputs = [
        {"id": ids[0], "properties": {"syncd_score": "42"}},
        {"id": ids[1], "properties": {"syncd_score": "lots"}},
        {"id": "999999", "properties": {"syncd_score": "1"}},
    ]
    answer = hs.crm.contacts.batch_api.update(
        batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(
            inputs=inputs
        )
    )
    assert [r.id for r in answer.results] == [ids[0]]
    assert {e.category for e in answer.errors} == {"OBJECT_NOT_FOUND", "VALIDATION_ERROR"}
    after = app.store.get("contacts", ids[0])
    assert after is not None and after.properties["syncd_score"] == "42"
    assert after.properties["lastmodifieddate"] > stamp
    assert after.properties["lastmodifieddate"] == "2027-01-15T08:01:00.000Z"
    assert "syncd_score" not in app.store.records["contacts"][ids[1]].properties
    # an unknown property fails the whole batch
    with pytest.raises(ApiException) as err:
        hs.crm.contacts.batch_api.update(
            batch_input_simple_public_object_batch_input={
                "inputs": [{"id": ids[2], "properties": {"nope": "1"}}]
            }
        )
    assert err.value.status == 400 and "PROPERTY_DOESNT_EXIST" in err.value.body
    with pytest.raises(ApiException) as err:
        hs.crm.contacts.batch_api.update(
            batch_input_simple_public_object_batch_input={
                "inputs": [{"id": ids[0], "properties": {}}] * 101
            }
        )
    assert err.value.status == 400
    # injected partial failures
    app.faults.replace(FaultSpec(partial_rate=1.0))
    answer = hs.crm.contacts.batch_api.update(
        batch_input_simple_public_object_batch_input={
            "inputs": [{"id": ids[3], "properties": {"syncd_score": "7"}}]
        }
    )
    assert answer.results == [] and answer.errors[0].context == {"ids": [ids[3]]}


def test_writes_create_patch_and_engagements(hs: HubSpot, app: HubSpotSandbox) -> None:
    created = hs.crm.contacts.batch_api.create(
        batch_input_simple_public_object_batch_input_for_create=BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[{"properties": {"email": "new@x.io"}, "associations": []}]
        )
    )
    new_id = created.results[0].id
    patched = hs.crm.contacts.basic_api.update(
        new_id, simple_public_object_input=SimplePublicObjectInput(properties={"firstname": "N"})
    )
    assert patched.properties["firstname"] == "N"
    company = app.store.add("companies", {"name": "Acme", "domain": "acme.io"})
    call = app.store.add("calls", {"hs_call_title": "Intro", "hs_timestamp": "1790000000000"})
    app.store.associate("calls", call, "contacts", new_id)
    got = hs.crm.objects.calls.basic_api.get_by_id(
        call, properties=["hs_call_title", "hs_timestamp"]
    )
    assert got.properties["hs_call_title"] == "Intro"
    assert got.properties["hs_timestamp"] == "2026-09-21T14:13:20.000Z"
    assert "hs_lastmodifieddate" in got.properties
    comp = hs.crm.companies.basic_api.get_by_id(company)
    assert set(comp.properties) == {
        "createdate",
        "domain",
        "hs_lastmodifieddate",
        "hs_object_id",
        "name",
    }
    notes = hs.crm.objects.notes.basic_api.get_page(limit=10)
    assert notes.results == []
