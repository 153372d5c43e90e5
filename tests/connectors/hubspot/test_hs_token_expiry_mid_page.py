"""An OAuth access token that dies in the middle of a paged read: HubSpot answers the
next page's request 401 ``EXPIRED_AUTHENTICATION``; the connector refreshes once and
asks for that same page again (same ``after``), losing and repeating nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import requests
from pydantic import SecretStr

from connectors.base import Connector, Page
from connectors.hubspot.config import HubSpotOAuth
from syncd.sandbox.generator import generate
from syncd.sandbox.http import Request
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.app import OAuthApp
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, Serve, connect

PEOPLE = 250  # three list pages of 100


def _portal(clock: ManualClock, oauth: OAuthApp | None = None) -> HubSpotSandbox:
    dataset = generate(5, PEOPLE, datetime.fromtimestamp(T0 - 3600, tz=UTC))
    return HubSpotSandbox(dataset, clock=clock, sleep=clock.sleep, rate_limits=False, oauth=oauth)


def _oauth(url: str, clock: ManualClock) -> Connector:
    oauth = HubSpotOAuth(
        client_id="cid", client_secret=SecretStr("csecret"), refresh_token=SecretStr("r-1")
    )
    return connect(url, clock, oauth=oauth)


def _second_contacts_page(request: Request) -> bool:
    """The contacts list read past its first page."""
    return (
        request.method == "GET"
        and request.path.endswith("/contacts")
        and bool(request.arg("after"))
    )


def test_the_fake_answers_an_expired_token_as_hubspot_does(
    serve: Serve, clock: ManualClock
) -> None:
    app = _portal(clock, OAuthApp("cid", "csecret", "r-1"))
    url = serve(app).url
    form = {
        "grant_type": "refresh_token",
        "client_id": "cid",
        "client_secret": "csecret",
        "refresh_token": "r-1",
    }
    token = requests.post(f"{url}/oauth/v1/token", data=form, timeout=5).json()["access_token"]
    app.expiry.arm(_second_contacts_page)
    page = f"{url}/crm/v3/objects/contacts"
    auth = {"Authorization": f"Bearer {token}"}
    assert requests.get(page, headers=auth, timeout=5).status_code == 200  # first page
    answer = requests.get(page, params={"after": "MQ"}, headers=auth, timeout=5)
    body = answer.json()
    assert answer.status_code == 401
    assert body["status"] == "error" and body["category"] == "EXPIRED_AUTHENTICATION"
    assert body["message"] == "The OAuth token used to make this call expired 0 second(s) ago."
    again = requests.get(page, headers=auth, timeout=5)  # the token stays dead
    assert again.status_code == 401 and again.json()["category"] == "EXPIRED_AUTHENTICATION"


def test_oauth_token_expiring_mid_pagination_refreshes_once_and_rereads_that_page(
    serve: Serve, clock: ManualClock
) -> None:
    app = _portal(clock, OAuthApp("cid", "csecret", "r-1"))
    reference = _portal(ManualClock(T0))
    conn = _oauth(serve(app).url, clock)
    app.expiry.arm(_second_contacts_page)
    pages = list(conn.changes(None, clock.utc()))
    clean = list(connect(serve(reference).url, ManualClock(T0)).changes(None, clock.utc()))

    ids = [c.id for p in pages for c in p.contacts]
    assert len(ids) == len(set(ids)) == PEOPLE  # nothing lost, nothing twice
    assert ids == [c.id for p in clean for c in p.contacts]

    def activities(items: list[Page]) -> Counter[str]:
        return Counter(a.key for p in items for a in p.activities)

    assert activities(pages) == activities(clean)
    assert app.expiry.sprung == 1
    # the page the token died on was asked for again, with the same paging token
    # (a searched stage's call in flight met the dead token too, and was asked again)
    died = [r for r in app.log.requests() if r.status == 401 and r.path.endswith("/contacts")]
    assert len(died) == 1 and died[0].query.get("after")
    again = [
        r
        for r in app.log.requests()
        if r.endpoint == died[0].endpoint and r.query.get("after") == died[0].query["after"]
    ]
    assert [r.status for r in again] == [401, 200]
    assert conn.usage().calls["auth"] == 2  # the first token, one refresh
