"""Full pulls through the real SDK against the fake portal: completeness and call economy."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from connectors.hubspot import limits
from connectors.hubspot.pull_position import SEARCHED
from syncd.cli.demo_report import hubspot_minimum_reads
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.schema import iso_ms
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, Serve, connect


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
    minimum = hubspot_minimum_reads(app)
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
