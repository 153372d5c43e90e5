"""The fake portal's plan: the events API (web analytics) is served on Enterprise only
(a lower plan answers 403 MISSING_SCOPES), portal-wide reads without ``objectId``
page through every contact's views in time order, and the contact's analytics and
conversion properties follow page views and form submissions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from syncd.cli.sandbox import build_app
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.schema import iso_ms
from syncd.sandbox.server import SandboxServer

AUTH = {"Authorization": "Bearer sandbox-token"}
T = 1_790_000_000_000  # ms
EVENTS = "/events/event-occurrences/2026-09"
#: The views of both contacts between T + 1 s and T + 8 s, oldest first.
ORDER = [f"https://v.io/{who}" for who in ("b0", "a1", "b1", "a2", "b2", "a3", "b3", "a4")]


@pytest.fixture()
def app() -> HubSpotSandbox:
    sandbox = HubSpotSandbox(rate_limits=False)
    store = sandbox.store
    first = store.add("contacts", {"email": "a@x.io"})
    second = store.add("contacts", {"email": "b@x.io"})
    for i in range(5):  # interleaved in time, added out of order
        store.add_page_view(second, T + 2 * i * 1000 + 1000, f"https://v.io/b{i}")
        store.add_page_view(first, T + 2 * i * 1000, f"https://v.io/a{i}")
    return sandbox


def _get(server: SandboxServer, **params: Any) -> requests.Response:
    return requests.get(f"{server.url}{EVENTS}", params=params, headers=AUTH, timeout=5)


def _iso(ms: int) -> str:
    return iso_ms(ms)


def test_portal_wide_page_views_are_paged_in_time_order(
    server: SandboxServer, app: HubSpotSandbox
) -> None:
    seen: list[tuple[str, str]] = []
    after = None
    calls = 0
    while True:
        params: dict[str, Any] = {
            "objectType": "contact",
            "eventType": "e_visited_page",
            "occurredAfter": _iso(T + 1000),
            "occurredBefore": _iso(T + 8000),
            "limit": 3,
        }
        if after:
            params["after"] = after
        answer = _get(server, **params)
        calls += 1
        assert answer.status_code == 200, answer.text
        body = answer.json()
        seen += [(e["objectId"], e["properties"]["hs_url"]) for e in body["results"]]
        after = (body.get("paging") or {}).get("next", {}).get("after")
        if not after:
            break
    urls = [u for _, u in seen]
    assert urls == ORDER
    assert calls == 3 and {cid for cid, _ in seen} == {r.id for r in app.store.live("contacts")}


@pytest.mark.parametrize("plan", ["starter", "professional"])
def test_below_enterprise_the_events_api_answers_403(
    server: SandboxServer, app: HubSpotSandbox, plan: str
) -> None:
    app.plan = plan  # type: ignore[assignment]
    answer = _get(server, objectType="contact", eventType="e_visited_page")
    assert answer.status_code == 403
    body = answer.json()
    assert body["category"] == "MISSING_SCOPES" and body["status"] == "error"
    assert "web-analytics-api-access" in body["message"] and body["correlationId"]
    app.plan = "enterprise"
    assert _get(server, objectType="contact").status_code == 200


def test_a_portal_refusing_portal_wide_reads_answers_400_without_object_id(
    server: SandboxServer, app: HubSpotSandbox
) -> None:
    app.portal_wide_events = False
    assert _get(server, objectType="contact").status_code == 400
    one = app.store.live("contacts")[0].id
    assert _get(server, objectType="contact", objectId=one).status_code == 200


def test_analytics_and_conversion_properties_follow_views_and_submissions(
    app: HubSpotSandbox,
) -> None:
    store = app.store
    first = store.find_by("contacts", "email", "a@x.io")
    assert first is not None
    props = first.properties
    assert props["hs_analytics_last_url"] == "https://v.io/a4"
    assert props["hs_analytics_num_page_views"] == "5"
    assert props["hs_analytics_num_visits"] == "1"  # views 2 s apart: one session
    store.add_page_view(first.id, T + 3_600_000, "https://v.io/late")
    assert props["hs_analytics_num_visits"] == "2"
    form = store.add_form("Contact us")
    store.add_submission(form, T + 10, {"email": "a@x.io"})
    store.add_submission(form, T + 20, {"email": "A@x.io"}, page_url="https://v.io/pricing")
    assert props["num_conversion_events"] == "2"
    assert props["first_conversion_event_name"] == "Contact us"
    assert props["recent_conversion_event_name"] == "Contact us: pricing"


def test_the_sandbox_command_sets_the_plan() -> None:
    built, _ = build_app(
        "hubspot",
        seed=1,
        contacts=3,
        tier="free",
        token="t",
        faults=FaultSpec(),
        now=datetime(2026, 12, 1, tzinfo=UTC),
        plan="professional",
    )
    assert isinstance(built, HubSpotSandbox) and built.plan == "professional"
