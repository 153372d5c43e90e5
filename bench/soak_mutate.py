"""What happens to the CRMs between the soak's cycles: edits, new activities, deletes,
merges and hand edits of syncd's own fields, drawn from one seeded random stream."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter

from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox

TITLES = ("CEO", "VP Marketing", "Intern", "Head of Operations", "Software Engineer", "CFO")
COUNTRIES = ("US", "GB", "DE", "FR", "TR", "BR")


def mutate_hubspot(
    app: HubSpotSandbox, rng: random.Random, n: int, tally: Counter[str], handed: set[str]
) -> None:
    """``n`` edits and new activities, plus a few deletes, merges and hand edits."""
    with app.lock:
        store = app.store
        live = sorted(r.id for r in store.live("contacts"))
        now = store.now_ms()
        for cid in rng.sample(live, min(n, len(live))):
            roll = rng.random()
            rec = store.get("contacts", cid)
            if rec is None:
                continue
            if roll < 0.3:
                store.update("contacts", cid, {"jobtitle": rng.choice(TITLES)})
                tally["hubspot edit"] += 1
            elif roll < 0.5:
                eid = store.add("calls", {"hs_timestamp": str(now - 1000), "hs_call_title": "Call"})
                store.associate("calls", eid, "contacts", cid)
                tally["hubspot call"] += 1
            elif roll < 0.65 and rec.properties.get("email"):
                store.add_email_event(
                    "CLICK", rec.properties["email"], now - 1000, url="https://x.example/p"
                )
                tally["hubspot email click"] += 1
            elif roll < 0.8:
                store.add_page_view(cid, now - 1000, "https://acme.example/pricing", "Pricing")
                tally["hubspot page view"] += 1
            elif roll < 0.9:
                store.update("contacts", cid, {"syncd_score": "1", "syncd_tier": "hot"})
                tally["hubspot hand edit"] += 1
                handed.add(cid)
            elif roll < 0.95:
                store.archive("contacts", cid)
                tally["hubspot delete"] += 1
            else:
                other = rng.choice(live)
                if other != cid and store.get("contacts", other) not in (None, rec):
                    store.merge("contacts", cid, other)
                    tally["hubspot merge"] += 1


def mutate_salesforce(
    app: SalesforceSandbox, rng: random.Random, n: int, tally: Counter[str], handed: set[str]
) -> None:
    """The same mix on Contacts and Leads (Tasks for activities)."""
    store = app.store
    people = [("Contact", r["Id"]) for r in store.records("Contact")]
    people += [("Lead", r["Id"]) for r in store.records("Lead") if not r.get("IsConverted")]
    people.sort()
    today = dt.datetime.fromtimestamp(time.time(), tz=dt.UTC)
    for kind, rid in rng.sample(people, min(n, len(people))):
        roll = rng.random()
        if store.get(kind, rid, include_deleted=False) is None:
            continue
        if roll < 0.3:
            store.update(kind, rid, {"Title": rng.choice(TITLES)})
            tally["salesforce edit"] += 1
        elif roll < 0.6:
            store.insert(
                "Task",
                {
                    "WhoId": rid,
                    "Subject": "Call",
                    "Type": "Call",
                    "TaskSubtype": "Call",
                    "Status": "Completed",
                    "ActivityDate": today.date(),
                },
            )
            tally["salesforce call"] += 1
        elif roll < 0.75:
            store.update(
                kind,
                rid,
                {"MailingCountry" if kind == "Contact" else "Country": rng.choice(COUNTRIES)},
            )
            tally["salesforce edit"] += 1
        elif roll < 0.88:
            store.update(kind, rid, {"Syncd_Score__c": 1, "Syncd_Tier__c": "hot"})
            tally["salesforce hand edit"] += 1
            handed.add(rid)
        elif roll < 0.94:
            store.delete(kind, rid)
            tally["salesforce delete"] += 1
        else:
            others = [r for k, r in people if k == kind and r != rid]
            other = rng.choice(others)
            if store.get(kind, other, include_deleted=False) is not None:
                store.merge(kind, rid, [other])
                tally["salesforce merge"] += 1
