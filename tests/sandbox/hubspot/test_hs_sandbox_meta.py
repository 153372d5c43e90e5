"""Properties and associations v4 of the fake HubSpot, through the real SDK."""

from __future__ import annotations

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.properties import ApiException as PropertiesApiException
from hubspot.crm.properties import PropertyCreate

from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer


@pytest.fixture()
def app() -> HubSpotSandbox:
    return HubSpotSandbox(rate_limits=False)


def test_property_create_201_then_409_and_listed(hs: HubSpot) -> None:
    core = hs.crm.properties.core_api
    names = {p.name for p in core.get_all("contacts").results}
    assert {"email", "lastmodifieddate", "hs_object_id", "hs_lead_status"} <= names
    spec = PropertyCreate(
        name="syncd_tier",
        label="syncd tier",
        type="enumeration",
        field_type="select",
        group_name="contactinformation",
        options=[{"label": "Hot", "value": "hot", "displayOrder": 0, "hidden": False}],
    )
    created = core.create("contacts", property_create=spec)
    assert created is not None and created.name == "syncd_tier"  # 201 is what the SDK accepts
    assert created.options[0].value == "hot"
    assert "syncd_tier" in {p.name for p in core.get_all("contacts").results}
    with pytest.raises(PropertiesApiException) as err:
        core.create("contacts", property_create=spec)
    assert err.value.status == 409


def test_property_create_validation_lists_every_problem(server: SandboxServer) -> None:
    answer = requests.post(
        f"{server.url}/crm/v3/properties/contacts",
        json={"name": "Bad Name", "type": "number", "fieldType": "select", "groupName": "nope"},
        headers={"Authorization": "Bearer sandbox-token"},
    )
    assert answer.status_code == 400
    message = answer.json()["message"]
    for field in ("label", "name", "fieldType", "groupName"):
        assert field in message
    assert answer.json()["category"] == "VALIDATION_ERROR"


def test_associations_v4_batch_read_both_directions(hs: HubSpot, app: HubSpotSandbox) -> None:
    store = app.store
    company = store.add("companies", {"name": "Acme"})
    alice = store.add("contacts", {"email": "alice@acme.io"})
    bob = store.add("contacts", {"email": "bob@acme.io"})
    loner = store.add("contacts", {"email": "loner@x.io"})
    store.associate("contacts", alice, "companies", company, primary=True)
    store.associate("contacts", bob, "companies", company)
    meeting = store.add("meetings", {"hs_meeting_title": "Demo"})
    store.associate("meetings", meeting, "contacts", alice)
    batch = hs.crm.associations.v4.batch_api

    def read(src: str, dst: str, ids: list[str]) -> object:
        body = BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": i} for i in ids])
        return batch.get_page(src, dst, batch_input_public_fetch_associations_batch_request=body)

    answer = read("contacts", "companies", [alice, bob, loner])
    by_from = {r._from.id: r for r in answer.results}  # type: ignore[attr-defined]
    assert set(by_from) == {alice, bob}
    alice_to = by_from[alice].to[0]
    assert str(alice_to.to_object_id) == company  # int on the wire, str in the SDK model
    assert {t.type_id for t in alice_to.association_types} == {1, 279}
    assert answer.errors[0].context == {"fromObjectId": [loner]}  # type: ignore[attr-defined]
    reverse = read("companies", "contacts", [company])
    assert sorted(str(t.to_object_id) for t in reverse.results[0].to) == sorted([alice, bob])  # type: ignore[attr-defined]
    engaged = read("meetings", "contacts", [meeting])
    assert engaged.results[0].to[0].association_types[0].type_id == 200  # type: ignore[attr-defined]
    back = read("contacts", "meetings", [alice])
    assert str(back.results[0].to[0].to_object_id) == meeting  # type: ignore[attr-defined]
    from hubspot.crm.associations.v4 import ApiException

    with pytest.raises(ApiException) as err:
        read("contacts", "companies", [str(i) for i in range(1001)])
    assert err.value.status == 400
