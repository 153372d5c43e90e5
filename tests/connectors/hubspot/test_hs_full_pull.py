"""Full pulls through the real SDK against the fake portal: completeness and call economy."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime

from connectors.hubspot import limits
from connectors.hubspot.pull_position import SEARCHED
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.schema import iso_ms
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, Serve, connect


def _minimum_calls(app: HubSpotSandbox) -> int:
    """The fewest calls the documented page and batch limits allow for a full pull on
    Enterprise: companies and contacts listed, engagements and deals searched with one
    association batch read per 1,000, e-mail events of the engaging types only, e-mail
    addresses resolved from the contacts read, page views portal-wide (plus the one plan
    probe)."""
    store = app.store
    ceil = math.ceil
    calls = ceil(store.count("companies") / limits.LIST_PAGE_MAX) or 1
    calls += ceil(store.count("contacts") / limits.LIST_PAGE_MAX) or 1
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
        endpoint = "POST /crm/objects/2026-09/{object_type}/search"
        searches = app.log.count(endpoint)
        if full:  # contacts listed; one empty search per engagement type and deals
            assert searches == len(SEARCHED)
            assert app.log.count("GET /crm/objects/2026-09/{object_type}") >= 250
        else:
            assert searches <= 25_000 // limits.SEARCH_PAGE_MAX + 1 + 8  # + empty windows
            print(f"\n25,000 contacts (12,000 in one ms) by search: {searches} search calls")
