"""Retries, pacing and auth under pressure: injected 429/500 faults, the pro-tier limits
without faults, OAuth tokens expiring mid-run, revoked credentials."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from connectors.base import Connector, ContactUpdate, FatalError, Page, RetriableError
from connectors.hubspot.config import HubSpotOAuth
from connectors.hubspot.connector import build
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.app import OAuthApp, Tier
from tests.kit.clock import ManualClock
from tests.kit.hubspot import T0, Serve, connect, options
from tests.kit.writes import written

#: The cursor of a pull an hour ago: the next pull is incremental.
INCREMENTAL = {"v": 1, "since": int(T0 * 1000) - 3_600_000}
#: An incremental pull whose window starts at 0: every record, read one call at a time.
EVERYTHING = {"v": 1, "since": 0}

UPDATE = "POST /crm/objects/2026-09/{object_type}/batch/update"


def _updates(ids: list[str]) -> list[ContactUpdate]:
    moment = datetime.fromtimestamp(T0, tz=UTC)
    return [
        ContactUpdate(cid, "contact", 10 + i % 80, "mql", f"r{i}", False, moment)
        for i, cid in enumerate(ids)
    ]


def _dataset_app(
    clock: ManualClock,
    people: int = 150,
    *,
    tier: Tier = "free",
    rate_limits: bool = True,
    oauth: OAuthApp | None = None,
) -> HubSpotSandbox:
    dataset = generate(5, people, datetime.fromtimestamp(T0 - 3600, tz=UTC))
    return HubSpotSandbox(dataset, clock=clock, tier=tier, rate_limits=rate_limits, oauth=oauth)


def test_injected_429s_and_500s_still_end_with_every_score_written(
    serve: Serve, clock: ManualClock
) -> None:
    app = _dataset_app(clock, rate_limits=False)
    reference = _dataset_app(ManualClock(T0), rate_limits=False)
    url = serve(app).url
    conn = connect(url, clock)
    assert conn.ensure_fields(create=True).ok
    app.faults.replace(FaultSpec(rate_429=0.10, rate_500=0.05, drop_rate=0.02, seed=11))
    pages = list(conn.changes(None, clock.utc()))
    clean = list(connect(serve(reference).url, ManualClock(T0)).changes(None, clock.utc()))

    def activities(items: list[Page]) -> Counter[str]:
        return Counter(a.key for p in items for a in p.activities)

    assert activities(pages) == activities(clean)  # nothing lost to the faults
    ids = sorted({c.id for p in pages for c in p.contacts}, key=int)
    assert len(ids) == 150
    updates = _updates(ids)
    outcomes = written(conn, updates)
    assert {o.status for o in outcomes} == {"ok"}
    for update in updates:
        props = app.store.records["contacts"][update.id].properties
        assert props["syncd_score"] == str(update.score)
        assert props["syncd_reasons"] == update.reasons
    faults = app.log.count(status=429) + app.log.count(status=500)
    dropped = app.log.stats({})["by_status"].get("dropped", 0)
    usage = conn.usage()
    print(
        f"\nfault run: {app.log.count()} requests, {faults} injected 429/500 and "
        f"{dropped} dropped connections retried"
    )
    assert faults > 10 and dropped > 0 and usage.http_429 == app.log.count(status=429)
    # every answer counted by status; dropped connections got none
    answered = {int(k): n for k, n in app.log.stats({})["by_status"].items() if k != "dropped"}
    assert usage.responses == answered and {200, 429, 500} <= set(answered)
    assert sum(clock.sleeps) >= app.log.count(status=429)  # each 429 waited its Retry-After (1 s)


def test_pro_tier_limits_without_faults_see_no_429(serve: Serve, clock: ManualClock) -> None:
    app = _dataset_app(clock, 400, tier="pro")
    conn = connect(serve(app).url, clock, tier="pro", max_concurrency=8)
    assert conn.ensure_fields(create=True).ok
    pages = list(conn.changes(None, clock.utc()))  # list endpoints: burst limit
    cursor = pages[-1].cursor
    clock.advance(600)
    for cid in [r.id for r in app.store.live("contacts")][:60]:
        app.store.update("contacts", cid, {"jobtitle": "CTO"})
    clock.advance(600)
    changed = list(conn.changes(cursor, clock.utc()))  # search endpoints: 5 per second
    ids = [c.id for p in pages for c in p.contacts]
    written(conn, _updates(ids * 30))  # burst of write batches with 8 threads
    assert sum(len(p.contacts) for p in changed) >= 60
    total = app.log.count()
    print(f"\npro tier: {total} requests paced over {sum(clock.sleeps):.1f} s, 0 x 429")
    assert total > 190 and sum(clock.sleeps) > 0
    assert app.log.count(status=429) == 0 and conn.usage().http_429 == 0


def _oauth(url: str, clock: ManualClock) -> Connector:
    oauth = HubSpotOAuth(
        client_id="cid", client_secret=SecretStr("csecret"), refresh_token=SecretStr("r-1")
    )
    return connect(url, clock, oauth=oauth)


def test_oauth_token_expiring_mid_run_is_refreshed_and_nothing_lost(
    serve: Serve, clock: ManualClock
) -> None:
    # every answer takes 0.2 s of the test's clock: the pull outlives a token
    app = HubSpotSandbox(
        generate(5, 150, datetime.fromtimestamp(T0 - 3600, tz=UTC)),
        clock=clock,
        sleep=clock.sleep,
        faults=FaultSpec(latency_ms=200),
        oauth=OAuthApp("cid", "csecret", "r-1", token_ttl_s=4),
    )
    reference = _dataset_app(ManualClock(T0), rate_limits=False)
    conn = _oauth(serve(app).url, clock)
    # every record, one call at a time (a window from 0): the fake's latency advances
    # the test's one clock, so calls in flight at once would add their latencies up
    pages = list(conn.changes(EVERYTHING, clock.utc()))
    clean = list(connect(serve(reference).url, ManualClock(T0)).changes(EVERYTHING, clock.utc()))
    assert sum(len(p.contacts) for p in pages) == 150
    assert sum(len(p.activities) for p in pages) == sum(len(p.activities) for p in clean)
    usage = conn.usage()
    assert usage.calls["auth"] >= 2  # paced over more than one token lifetime
    assert app.log.count(status=401) == 0  # refreshed before expiry
    # a token revoked early (or a skewed clock): the 401 refreshes and repeats the batch
    for token in list(app.access_tokens):
        app.access_tokens[token] = clock() - 1
    assert conn.ensure_fields(create=True).ok
    ids = [c.id for p in pages for c in p.contacts]
    for token in list(app.access_tokens):
        app.access_tokens[token] = clock() - 1
    refreshed = conn.usage().calls["auth"]
    outcomes = written(conn, _updates(ids))
    assert {o.status for o in outcomes} == {"ok"}
    # each batch in flight with the dead token met a 401 and was repeated; one refresh
    assert app.log.count(status=401) in (1 + 1, 1 + 2)
    assert app.log.count(UPDATE, status=200) == 2
    assert conn.usage().calls["auth"] == refreshed + 1


def test_revoked_credentials_are_fatal_and_named_in_check(serve: Serve, clock: ManualClock) -> None:
    app = HubSpotSandbox(clock=clock, rate_limits=False, oauth=OAuthApp("cid", "s", "other"))
    url = serve(app).url
    conn = connect(url, clock, access_token=SecretStr("wrong-token"))
    with pytest.raises(FatalError) as err:  # an incremental pull: one call at a time
        list(conn.changes(INCREMENTAL, clock.utc()))
    assert "401" in str(err.value) and "wrong-token" not in str(err.value)
    assert app.log.count() == 1  # a 401 is not retried
    check = conn.check()
    assert check[0].name == "credentials" and not check[0].ok and check[0].fix
    oauth = _oauth(url, clock)
    with pytest.raises(FatalError) as err:
        list(oauth.changes(None, clock.utc()))
    assert "refresh" in str(err.value) and "csecret" not in str(err.value)


def test_every_call_has_a_timeout_and_a_bounded_retry(serve: Serve, clock: ManualClock) -> None:
    slow = FaultSpec(slow_rate=1.0, slow_ms=3000)
    app = HubSpotSandbox(clock=clock, rate_limits=False, faults=slow)
    conn = build(
        "slow",
        options(serve(app).url, timeout=0.2),
        clock=clock,
        sleep=clock.sleep,
        max_attempts=2,
    )
    with pytest.raises(RetriableError) as err:  # an incremental pull: one call at a time
        list(conn.changes(INCREMENTAL, clock.utc()))
    assert "no answer within timeout" in str(err.value)
    assert conn.usage().total_calls == 2  # one retry, then the policy gave up
