"""Outcomes from the fake org into the state store: Lead conversion and Opportunities
(through OpportunityContactRole) on a full pull, then an opportunity won and one created
between cycles on an incremental pull, with the calls it costs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from syncd.sandbox.generator import generate
from syncd.sandbox.outcomes import deals_for
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.state import Store
from tests.kit.clock import ManualClock
from tests.kit.salesforce_connector import make_org

NAME = "sf-test"


def _queries(org_log: list[str], sobject: str) -> int:
    return sum(1 for q in org_log if f"FROM {sobject} " in q + " ")


def test_outcomes_full_then_incremental(clock: ManualClock, tmp_path: Path) -> None:
    data = generate(5, 150, clock.utc() - dt.timedelta(days=1))
    deals = {d.contact_key: d for d in deals_for(data)}
    app = SalesforceSandbox(data, clock=clock, sleep=lambda s: None)
    store = Store.open(f"sqlite:///{tmp_path}/state.db")
    with make_org(app, clock) as org:
        clock.advance(5)
        conn = org.connector()
        cursor = None
        for page in conn.changes(None, clock.utc()):
            store.commit_page(NAME, page, clock.utc())
            cursor = page.cursor
        found = store.outcomes(NAME)
        full_queries = [str(r.query.get("q", "")) for r in app.log.requests() if "/query" in r.path]
        # a full pull reads every contact role: no contact-role look-up per opportunity page
        assert _queries(full_queries, "OpportunityContactRole") == 1
        key_of = {
            r["Id"]: (sobject, r["Email"])
            for sobject in ("Lead", "Contact")
            for r in app.store.records(sobject)
        }
        person = {c.email: c for c in data.contacts}
        contact_deals = 0
        for cid, outcomes in found.items():
            sobject, email = key_of[cid]
            assert sobject == "Contact"  # a conversion is the Contact's, as its history
            conversion = [o.kind for o in outcomes if o.key.startswith("lead:")]
            if person[email].converted:  # a customer already: converted without opportunity
                assert [o.kind for o in outcomes] == conversion == ["sql"]
                continue
            deal = deals[person[email].key]
            if person[email].is_lead:  # the opportunity converted the lead, that day
                assert conversion == ["opportunity"]
                lead = next(o for o in outcomes if o.key.startswith("lead:"))
                assert lead.at.date() == deal.created_at.date()
            else:
                assert conversion == []
            contact_deals += 1
            kinds = {o.kind for o in outcomes if o.key.startswith("opportunity:")}
            assert kinds == {"opportunity"} | ({deal.stage} if deal.stage != "open" else set())
            opened = next(o for o in outcomes if o.key.endswith(":opportunity"))
            assert opened.at == deal.created_at and opened.amount == deal.amount
        assert contact_deals == len(app.store.records("OpportunityContactRole")) > 0

        # between cycles: an open opportunity is won; a contact without one gets one
        clock.advance(3600)
        opp = next(r for r in app.store.records("Opportunity") if not r["IsClosed"])
        app.store.update(
            "Opportunity",
            opp["Id"],
            {
                "StageName": "Closed Won",
                "IsClosed": True,
                "IsWon": True,
                "CloseDate": clock.utc().date(),
            },
        )
        fresh = next(r["Id"] for r in app.store.records("Contact") if r["Id"] not in found)
        new_opp = app.store.insert(
            "Opportunity",
            {
                "Name": "New",
                "StageName": "Qualification",
                "CloseDate": clock.utc().date(),
                "Amount": 5000,
            },
        )
        app.store.insert("OpportunityContactRole", {"OpportunityId": new_opp, "ContactId": fresh})
        clock.advance(5)
        app.log.reset()
        for page in conn.changes(cursor, clock.utc()):
            store.commit_page(NAME, page, clock.utc())
        after = store.outcomes(NAME)
        winners = [
            c for c, o in after.items() if f"opportunity:{opp['Id']}:won" in {x.key for x in o}
        ]
        assert len(winners) == 1 and winners[0] in found
        assert {o.key for o in after[fresh]} == {f"opportunity:{new_opp}:opportunity"}
        queries = [str(r.query.get("q", "")) for r in app.log.requests() if "/query" in r.path]
        # the extra calls of this cycle: the two streams and one contact-role join
        assert _queries(queries, "Opportunity") == 1
        assert _queries(queries, "OpportunityContactRole") == 2
    store.close()
