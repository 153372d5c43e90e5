"""E-mail campaign names: one paged marketing e-mails list names every campaign (each
e-mail lists its legacy campaign ids), remembered by the connector; a campaign the list
does not name is read on its own."""

from __future__ import annotations

from syncd.sandbox.hubspot import HubSpotSandbox
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, Serve, connect

LIST = "GET /marketing/emails/2026-09"
ONE = "GET /email/public/v1/campaigns/{campaign_id}"
OLD = int((T0 - 7200) * 1000)


def _portal(clock: ManualClock, campaigns: int) -> HubSpotSandbox:
    app = HubSpotSandbox(clock=clock, rate_limits=False)
    for i in range(campaigns):
        email = f"p{i}@x.io"
        app.store.add("contacts", {"email": email}, created_ms=OLD)
        app.store.add_email_event("OPEN", email, OLD + i, campaign=f"Campaign {i}")
    return app


def test_every_campaign_named_by_one_paged_list(serve: Serve, clock: ManualClock) -> None:
    app = _portal(clock, 130)  # two pages of 100
    conn = connect(serve(app).url, clock)
    pages = list(conn.changes(None, clock.utc()))
    named = {a.data.get("campaign") for p in pages for a in p.activities}
    assert named == {f"Campaign {i}" for i in range(130)}
    assert app.log.count(LIST) == 2 and app.log.count(ONE) == 0
    app.log.reset()
    clock.advance(3600)
    app.store.add_email_event("OPEN", "p1@x.io", int(clock() * 1000) - 600_000, campaign="New")
    clock.advance(600)
    later = list(conn.changes(pages[-1].cursor, clock.utc()))
    assert {a.data.get("campaign") for p in later for a in p.activities} == {"New"}
    assert app.log.count(LIST) == 0 and app.log.count(ONE) == 1  # listed once a lifetime
