"""Full pulls through the real SDK against the fake portal: completeness and call economy."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from connectors.hubspot import limits
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.schema import iso_ms
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, Serve, connect

SEARCH = "POST /crm/objects/2026-09/{object_type}/search"
LIST = "GET /crm/objects/2026-09/{object_type}"
ASSOCIATIONS = "POST /crm/associations/2026-09/{from_type}/{to_type}/batch/read"


def _minimum_calls(app: HubSpotSandbox) -> int:
    """The fewest calls the documented page and batch limits allow for a full pull on
    Enterprise: CRM objects through search pages of 200, engagement and deal contacts by
    association batch reads of 1,000, e-mail events of the engaging types only, e-mail
    addresses resolved from the contacts read, page views portal-wide (plus the one plan
    probe)."""
    store = app.store
    ceil = math.ceil
    calls = ceil(store.count("companies") / limits.SEARCH_PAGE_MAX) or 1
    calls += ceil(store.count("contacts") / limits.SEARCH_PAGE_MAX) or 1
    for kind in ("calls", "emails", "meetings", "notes", "deals"):
        calls += ceil(store.count(kind) / limits.SEARCH_PAGE_MAX) or 1
        calls += ceil(store.count(kind) / limits.ASSOCIATION_BATCH_MAX)
    engaging = ("OPEN", "CLICK", "STATUSCHANGE")
    for kind in engaging:
        n = sum(1 for e in store.email_events if e.type == kind)
        calls += ceil(n / limits.EMAIL_EVENTS_PAGE_MAX) or 1
    events = [e for e in store.email_events if e.type in engaging]
    calls += 1 if events else 0  # every campaign's name: one marketing e-mails page
    forms = list(store.forms.values())
    calls += ceil(len(forms) / limits.FORMS_PAGE_MAX) or 1
    for form in forms:
        calls += ceil(len(form.submissions) / limits.SUBMISSIONS_PAGE_MAX) or 1
    calls += ceil(len(store.page_views) / limits.WEB_EVENTS_PAGE_MAX) or 1
    return calls + 2 + 1  # archived contacts, archived companies; the plan probe


def test_full_pull_reads_everything_near_the_minimum_calls(
    serve: Serve, clock: ManualClock
) -> None:
    dataset = generate(11, 400, datetime.fromtimestamp(T0 - 3600, tz=UTC))
    app = HubSpotSandbox(dataset, clock=clock, tier="pro")
    conn = connect(serve(app).url, clock, tier="pro")
    pages = list(conn.changes(None, clock.utc()))
    contacts = [c for p in pages for c in p.contacts]
    assert len(contacts) == len({c.id for c in contacts}) == len(dataset.contacts)
    accounts = [a for p in pages for a in p.accounts]
    assert len(accounts) == len(dataset.companies)
    got = Counter(a.data["type"] for p in pages for a in p.activities)
    assert got == Counter(a.type for a in dataset.activities)
    assert pages[-1].cursor == {
        "v": 1,
        "since": int(T0 * 1000) - 120_000,
        "plan": {"page_views": "portal", "probed_at": T0},
    }
    used = app.log.count()
    minimum = _minimum_calls(app)
    print(f"\nfull pull: {used} calls, minimum {minimum} ({used / minimum:.3f}x)")
    assert minimum <= used <= minimum * 1.05
    assert app.log.count(status=429) == 0
    assert conn.usage().total_calls == used


def test_twelve_thousand_in_one_millisecond_terminates_each_once(
    serve: Serve, clock: ManualClock
) -> None:
    app = HubSpotSandbox(clock=clock, rate_limits=False)
    same = int(T0 * 1000) - 3_600_000
    store = app.store
    for i in range(25_000):
        at = same if i % 25 < 12 else same - 1_000 * (i + 1)
        store.add("contacts", {"email": f"p{i}@x.io"}, created_ms=at - 10, modified_ms=at)
    in_one_ms = sum(
        1 for r in store.live("contacts") if r.properties["lastmodifieddate"] == iso_ms(same)
    )
    assert in_one_ms == 12_000
    conn = connect(serve(app).url, clock)
    for cursor, full in (({"v": 1, "since": same - 30_000_000}, False), (None, True)):
        app.log.reset()
        seen: Counter[str] = Counter()
        for page in conn.changes(cursor, clock.utc(), full=full):
            seen.update(c.id for c in page.contacts)
        assert len(seen) == 25_000 and set(seen.values()) == {1}
        searches = app.log.count(SEARCH)
        assert app.log.count(LIST) == 2  # archived contacts and companies only
        assert searches <= 25_000 // limits.SEARCH_PAGE_MAX + 1 + 8  # + empty windows
        print(f"\n25,000 contacts (12,000 in one ms) by search: {searches} search calls")


#: Records per object stream in the test below: more than one search page each, and
#: calls more than one association batch read.
STREAMS = {
    "companies": 230,
    "contacts": 260,
    "calls": 1_150,
    "emails": 210,
    "meetings": 220,
    "notes": 240,
    "deals": 250,
}


def _searched(app: HubSpotSandbox, object_type: str) -> list[dict[str, Any]]:
    """The bodies of the searches of ``object_type``, in order."""
    return [
        json.loads(r.body)
        for r in app.log.requests()
        if r.endpoint == SEARCH and r.path.endswith(f"/{object_type}/search")
    ]


def test_a_full_pull_searches_every_stream_and_the_next_cycle_reads_what_changed_during_it(
    serve: Serve, clock: ManualClock
) -> None:
    """A full pull reads each object stream through search pages of 200 (window from 0 to
    the run's start minus the safety lag) and the contacts of engagements and deals by
    association batch reads of up to 1,000: every record once. A contact changed and
    one created while the pull runs fall after its window: the next cycle reads them."""
    app = HubSpotSandbox(clock=clock, rate_limits=False)
    store = app.store
    old = int(T0 * 1000) - 86_400_000
    for i in range(STREAMS["companies"]):
        store.add("companies", {"name": f"Co {i}", "domain": f"co{i}.io"}, created_ms=old)
    people = [
        store.add("contacts", {"email": f"p{i}@x.io", "jobtitle": "VP"}, created_ms=old + i)
        for i in range(STREAMS["contacts"])
    ]
    for kind in ("calls", "emails", "meetings", "notes"):
        for i in range(STREAMS[kind]):
            values = {
                "hs_timestamp": str(old),
                "hs_email_direction": "INCOMING_EMAIL",
                "hs_note_body": "chat",
            }
            rid = store.add(kind, values, created_ms=old)
            store.associate(kind, rid, "contacts", people[i % len(people)])
    for i in range(STREAMS["deals"]):
        deal = store.add(
            "deals", {"dealname": f"D{i}", "dealstage": "qualifiedtobuy"}, created_ms=old
        )
        store.associate("deals", deal, "contacts", people[i % len(people)])
    conn = connect(serve(app).url, clock)
    hi = int(clock() * 1000) - 120_000  # the default safety lag

    pages = []
    changed = people[-1]  # on the contacts' second search page
    created = ""
    for page in conn.changes(None, clock.utc()):
        pages.append(page)
        if page.contacts and not created:  # the pull is under way: a write lands
            store.update("contacts", changed, {"jobtitle": "CEO"})
            created = store.add("contacts", {"email": "new@x.io", "jobtitle": "CTO"})
            clock.advance(10)  # the search index has caught up with both writes

    contacts = Counter(c.id for p in pages for c in p.contacts)
    assert set(contacts.values()) == {1} and set(contacts) == set(people) - {changed}
    assert Counter(a.id for p in pages for a in p.accounts).total() == STREAMS["companies"]
    assert len({a.id for p in pages for a in p.accounts}) == STREAMS["companies"]
    activities = Counter(a.key for p in pages for a in p.activities)
    assert set(activities.values()) == {1}
    for kind in ("calls", "emails", "meetings", "notes"):
        got = sum(1 for key in activities if key.startswith(f"hs:{kind}:"))
        assert got == STREAMS[kind], kind
    opened = Counter(o.key for p in pages for o in p.outcomes if o.key.startswith("deal:"))
    assert len(opened) == STREAMS["deals"] and set(opened.values()) == {1}

    for kind, n in STREAMS.items():
        bodies = _searched(app, kind)
        assert len(bodies) == math.ceil(n / limits.SEARCH_PAGE_MAX), kind
        for body in bodies:
            assert body["limit"] == 200 and body["after"] == "0"
            [window] = [f for f in body["filterGroups"][0]["filters"] if f["operator"] == "BETWEEN"]
            assert (window["value"], window["highValue"]) == ("0", str(hi))
    links = Counter(r.path.split("/")[-4] for r in app.log.requests() if r.endpoint == ASSOCIATIONS)
    assert links == {"calls": 2, "emails": 1, "meetings": 1, "notes": 1, "deals": 1}
    assert app.log.count(LIST) == 2  # archived contacts and companies: search has none

    clock.advance(600)
    cursor = pages[-1].cursor
    later = list(conn.changes(cursor, clock.utc()))
    read = {c.id: c for p in later for c in p.contacts}
    assert {changed, created} <= set(read)
    assert read[changed].data["properties"]["title"] == "CEO"
