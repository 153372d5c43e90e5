"""Outcomes from the fake portal into the state store: lifecycle dates and deals on a
full pull, then a deal won and a deal created between cycles on an incremental one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from syncd.core.outcomes import Outcome
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.outcomes import deals_for
from syncd.state import Store
from tests.kit.clock import ManualClock
from tests.kit.hubspot import Serve, connect

NAME = "hubspot-test"


def _kinds(found: tuple[Outcome, ...]) -> set[tuple[str, str]]:
    return {(o.key.split(":")[0], o.kind) for o in found}


def test_outcomes_full_then_incremental(serve: Serve, clock: ManualClock, tmp_path: Path) -> None:
    data = generate(5, 150, clock.utc() - timedelta(days=1))
    deals = deals_for(data)
    app = HubSpotSandbox(data, clock=clock, rate_limits=False)
    conn = connect(serve(app).url, clock)
    store = Store.open(f"sqlite:///{tmp_path}/state.db")
    try:
        cursor = None
        for page in conn.changes(None, clock.utc()):
            store.commit_page(NAME, page, clock.utc())
            cursor = page.cursor
        # a full pull searches deals (200 a page) and reads their contacts in one
        # association batch read per 1,000 deals
        deal_searches = [r for r in app.log.requests() if r.path.endswith("/deals/search")]
        deal_links = [r for r in app.log.requests() if "/deals/contacts/batch/read" in r.path]
        assert len(deal_searches) == 1 and len(deal_links) == 1
        by_contact = store.outcomes(NAME)
        email_of = {r.id: r.properties.get("email", "") for r in app.store.live("contacts")}
        person_of = {c.email: c for c in data.contacts}
        converted = {person_of[email_of[cid]].key: found for cid, found in by_contact.items()}
        # every generated deal arrived on its contact: opened, and won or lost once closed
        assert deals and {d.contact_key for d in deals} <= set(converted)
        for deal in deals:
            found = converted[deal.contact_key]
            kinds = {o.kind for o in found if o.key.startswith("deal:")}
            expected = {"opportunity"} | ({deal.stage} if deal.stage != "open" else set())
            assert kinds == expected
            opened = next(o for o in found if o.key.endswith(":opportunity"))
            assert abs(opened.at - deal.created_at) < timedelta(seconds=1)
            assert opened.amount == deal.amount
            assert ("lifecycle", "opportunity") in _kinds(found)

        # between cycles: an open deal is won, a new deal opens for a contact without one
        open_deal = next(
            r for r in app.store.live("deals") if r.properties["hs_is_closed"] == "false"
        )
        clock.advance(3600)
        app.store.update(
            "deals", open_deal.id, {"dealstage": "closedwon", "closedate": clock.utc().isoformat()}
        )
        fresh_contact = next(cid for cid in email_of if cid not in by_contact)
        new_deal = app.store.add(
            "deals", {"dealname": "New", "dealstage": "qualifiedtobuy", "amount": "5000"}
        )
        app.store.associate("deals", new_deal, "contacts", fresh_contact)
        clock.advance(600)
        app.log.reset()
        for page in conn.changes(cursor, clock.utc()):
            store.commit_page(NAME, page, clock.utc())
        after = store.outcomes(NAME)
        won_for = [
            cid
            for cid, found in after.items()
            if f"deal:{open_deal.id}:won" in {o.key for o in found}
        ]
        assert won_for and all(cid in by_contact for cid in won_for)
        assert {o.key for o in after[fresh_contact]} == {f"deal:{new_deal}:opportunity"}
        assert after[fresh_contact][0].amount == 5000.0
        # the extra calls of this cycle: one deal search page, one association read
        deal_searches = [
            r for r in app.log.requests() if r.endpoint.endswith("/search") and "deals" in r.path
        ]
        deal_links = [r for r in app.log.requests() if "/deals/contacts/batch/read" in r.path]
        assert len(deal_searches) == 1 and len(deal_links) == 1
    finally:
        store.close()
