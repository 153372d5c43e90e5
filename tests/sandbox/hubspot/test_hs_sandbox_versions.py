"""The fake serves legacy and dated paths with the dated shapes, refuses a legacy path
past its sunset, enforces validation rules on dated writes, and is no more lenient than
HubSpot's specs where the old fake was (each test fails against the old fake)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.app import OAuthApp
from syncd.sandbox.hubspot.versions import ValidationRule
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock

AUTH = {"Authorization": "Bearer sandbox-token"}


@pytest.fixture()
def app() -> HubSpotSandbox:
    clock = ManualClock()
    app = HubSpotSandbox(
        clock=clock,
        rate_limits=False,
        oauth=OAuthApp("cid", "csecret", "rtoken"),
        search_lag_s=0,
    )
    company = app.store.add("companies", {"name": "Acme", "domain": "acme.io"})
    for i in range(3):
        cid = app.store.add("contacts", {"email": f"p{i}@acme.io", "jobtitle": "CEO"})
        app.store.associate("contacts", cid, "companies", company)
    return app


def _call(server: SandboxServer, method: str, path: str, **kw: Any) -> requests.Response:
    return requests.request(method, server.url + path, headers=AUTH, timeout=10, **kw)


def test_dated_and_legacy_paths_serve_the_same_records(server: SandboxServer) -> None:
    legacy = _call(server, "GET", "/crm/v3/objects/contacts", params={"properties": "email"})
    dated = _call(server, "GET", "/crm/objects/2026-09/contacts", params={"properties": "email"})
    assert legacy.status_code == dated.status_code == 200
    assert [r["id"] for r in legacy.json()["results"]] == [r["id"] for r in dated.json()["results"]]
    events = _call(server, "GET", "/events/event-occurrences/2026-09")
    groups = _call(server, "GET", "/crm/properties/2026-09/contacts/groups")
    assert events.status_code == groups.status_code == 200


def test_dated_association_ids_are_strings_legacy_ones_numbers(
    server: SandboxServer, app: HubSpotSandbox
) -> None:
    cid = app.store.live("contacts")[0].id
    body = {"inputs": [{"id": cid}]}
    v4 = _call(server, "POST", "/crm/v4/associations/contacts/companies/batch/read", json=body)
    dated = _call(
        server, "POST", "/crm/associations/2026-09/contacts/companies/batch/read", json=body
    )
    assert isinstance(v4.json()["results"][0]["to"][0]["toObjectId"], int)
    assert isinstance(dated.json()["results"][0]["to"][0]["toObjectId"], str)


def test_dated_search_requires_what_its_spec_requires(server: SandboxServer) -> None:
    body: dict[str, Any] = {"filterGroups": [], "limit": 10, "properties": [], "sorts": []}
    assert _call(server, "POST", "/crm/v3/objects/contacts/search", json=body).status_code == 200
    missing = _call(server, "POST", "/crm/objects/2026-09/contacts/search", json=body)
    assert missing.status_code == 400 and "after" in missing.json()["message"]
    ok = _call(server, "POST", "/crm/objects/2026-09/contacts/search", json={**body, "after": "0"})
    assert ok.status_code == 200 and ok.json()["total"] == 3


def test_batch_read_requires_properties_with_history(
    server: SandboxServer, app: HubSpotSandbox
) -> None:
    ids = [{"id": r.id} for r in app.store.live("contacts")]
    for path in ("/crm/v3/objects/contacts/batch/read", "/crm/objects/2026-09/contacts/batch/read"):
        lacking = _call(server, "POST", path, json={"inputs": ids, "properties": ["email"]})
        assert lacking.status_code == 400
        body = {"inputs": ids, "properties": ["email"], "propertiesWithHistory": []}
        assert _call(server, "POST", path, json=body).status_code == 200


def test_legacy_paths_past_their_sunset_answer_410(
    server: SandboxServer, app: HubSpotSandbox
) -> None:
    app.sunsets.mark(["/email/public/v1/events"])
    assert _call(server, "GET", "/email/public/v1/events").status_code == 410
    assert _call(server, "GET", "/crm/v3/objects/contacts").status_code == 200
    app.sunsets.mark()
    gone = _call(server, "GET", "/crm/v3/objects/contacts")
    assert gone.status_code == 410 and gone.json()["category"] == "GONE"
    assert "sunset" in gone.json()["message"]
    assert _call(server, "GET", "/crm/objects/2026-09/contacts").status_code == 200
    token = requests.post(
        server.url + "/oauth/v1/token",
        data={
            "grant_type": "refresh_token",
            "client_id": "cid",
            "client_secret": "csecret",
            "refresh_token": "rtoken",
        },
        timeout=10,
    )
    assert token.status_code == 410


def test_oauth_answer_carries_token_use_on_both_paths(server: SandboxServer) -> None:
    form = {
        "grant_type": "refresh_token",
        "client_id": "cid",
        "client_secret": "csecret",
        "refresh_token": "rtoken",
    }
    for path in ("/oauth/v1/token", "/oauth/2026-09/token"):
        answer = requests.post(server.url + path, data=form, timeout=10).json()
        assert answer["token_use"] == "access_token" and answer["access_token"]


def test_validation_rule_refuses_its_input_on_dated_writes_only(
    server: SandboxServer, app: HubSpotSandbox
) -> None:
    app.validation_rules.append(
        ValidationRule(
            "contacts", "jobtitle", lambda v: v != "Intern", "Job title may not be Intern"
        )
    )
    a, b, c = (r.id for r in app.store.live("contacts"))
    inputs = [
        {"id": a, "properties": {"jobtitle": "Intern"}},
        {"id": b, "properties": {"jobtitle": "CTO"}},
    ]
    answer = _call(
        server, "POST", "/crm/objects/2026-09/contacts/batch/update", json={"inputs": inputs}
    )
    assert answer.status_code == 207
    [error] = answer.json()["errors"]
    assert error["category"] == "VALIDATION_ERROR" and error["context"] == {"ids": [a]}
    assert error["errors"][0]["message"] == "Job title may not be Intern"
    assert app.store.get("contacts", a).properties["jobtitle"] == "CEO"  # type: ignore[union-attr]
    assert app.store.get("contacts", b).properties["jobtitle"] == "CTO"  # type: ignore[union-attr]
    legacy = _call(
        server,
        "POST",
        "/crm/v3/objects/contacts/batch/update",
        json={"inputs": [{"id": c, "properties": {"jobtitle": "Intern"}}]},
    )
    assert legacy.status_code == 200


def test_enumeration_property_needs_options(server: SandboxServer) -> None:
    body: dict[str, Any] = {
        "name": "x_level",
        "label": "Level",
        "type": "enumeration",
        "fieldType": "select",
        "groupName": "contactinformation",
    }
    refused = _call(server, "POST", "/crm/properties/2026-09/contacts", json=body)
    assert refused.status_code == 400 and "option" in refused.json()["message"]
    body["options"] = [{"label": "A", "value": "a", "displayOrder": 0, "hidden": False}]
    assert _call(server, "POST", "/crm/properties/2026-09/contacts", json=body).status_code == 201


def test_has_property_filter_takes_no_value(server: SandboxServer) -> None:
    flt = {"propertyName": "email", "operator": "HAS_PROPERTY", "value": "x"}
    body = {
        "filterGroups": [{"filters": [flt]}],
        "limit": 10,
        "properties": [],
        "sorts": [],
        "after": "0",
    }
    assert (
        _call(server, "POST", "/crm/objects/2026-09/contacts/search", json=body).status_code == 400
    )
    del flt["value"]
    assert (
        _call(server, "POST", "/crm/objects/2026-09/contacts/search", json=body).status_code == 200
    )


def test_unknown_property_names_are_left_out(server: SandboxServer) -> None:
    answer = _call(
        server,
        "GET",
        "/crm/objects/2026-09/contacts",
        params={"properties": "email,no_such_property"},
    )
    props = answer.json()["results"][0]["properties"]
    assert "email" in props and "no_such_property" not in props


def test_seeded_companies_carry_websites_some_without_domain() -> None:
    from datetime import UTC, datetime

    from syncd.sandbox.generator import generate

    app = HubSpotSandbox(generate(3, 40, datetime(2026, 9, 1, tzinfo=UTC)), rate_limits=False)
    companies = app.store.live("companies")
    assert companies and all(c.properties.get("website") for c in companies)
    assert any(not c.properties.get("domain") for c in companies)
    assert "website" in app.store.properties["companies"]
