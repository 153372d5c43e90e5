"""Login flows, re-login mid-run (REST and Bulk) without losing work, the retry policy."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from connectors.base import (
    BudgetExhausted,
    ContactUpdate,
    FatalError,
    RateLimited,
    RetriableError,
)
from connectors.salesforce.client import ATTEMPTS, BACKOFF_MAX_S, RATE_LIMIT_WAITS
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.connector import build
from connectors.salesforce.transport import CountingSession
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.salesforce import SalesforceSandbox
from tests.kit.clock import ManualClock
from tests.kit.salesforce_connector import Org, create_fields, make_org
from tests.kit.writes import written

TOKEN = "POST /services/oauth2/token"


def short_sessions(clock: ManualClock) -> SalesforceSandbox:
    return SalesforceSandbox(clock=clock, sleep=lambda s: None, session_ttl_s=60)


def test_rest_session_expiring_mid_run_is_renewed_and_nothing_lost(clock: ManualClock) -> None:
    with make_org(short_sessions(clock), clock) as org:
        ids = {org.app.store.insert("Contact", {"LastName": f"C{i}"}) for i in range(4500)}
        clock.advance(2)
        conn = org.connector()
        read: list[str] = []
        for page in conn.changes(None, clock.utc()):
            read += [c.id for c in page.contacts]
            clock.advance(61)  # the session dies between every two pages
        assert sorted(read) == sorted(ids)
        assert conn.client.logins >= 3 and org.requests(TOKEN) == conn.client.logins


class ExpiringSession(CountingSession):
    """Lets the session expire before every other Bulk API request (a slow job)."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(30)
        self.clock = clock
        self.flip = False

    def request(  # type: ignore[override]  # narrower than Session.request, as the parent's
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if "/jobs/" in url:
            self.flip = not self.flip
            if self.flip:
                self.clock.advance(61)
        return super().request(method, url, *args, **kwargs)


def test_bulk_session_expiring_mid_job_is_renewed_and_nothing_lost(clock: ManualClock) -> None:
    with make_org(short_sessions(clock), clock) as org:
        create_fields(org)
        ids = [org.app.store.insert("Contact", {"LastName": f"C{i}"}) for i in range(2300)]
        clock.advance(2)
        options = org.options(
            bulk_read_threshold=2100, bulk_write_threshold=100, bulk_page_records=100
        )
        conn = build(
            "bulk", options, clock=clock, sleep=clock.sleep, session=ExpiringSession(clock)
        )
        read = [c.id for p in conn.changes(None, clock.utc()) for c in p.contacts]
        assert sorted(read) == sorted(ids)
        jobs = org.requests("POST /services/data/v66.0/jobs/query")
        assert jobs == 2  # the first create met an expired session and was repeated once
        logins = org.requests(TOKEN)
        assert logins >= 4
        now = clock.utc()
        updates = [ContactUpdate(i, "contact", 7, "nurture", "", False, now) for i in ids]
        outcomes = written(conn, updates)
        assert {o.status for o in outcomes} == {"ok"}
        assert org.requests(TOKEN) > logins
        created = [
            r for r in org.app.log.requests()
            if r.endpoint == "POST /services/data/v66.0/jobs/ingest" and r.status == 200
        ]  # fmt: skip
        assert len(created) == 1  # one job, carried through every renewal
        last = org.app.store.get("Contact", ids[-1])
        assert last is not None and last["Syncd_Score__c"] == 7


def test_password_and_client_credentials_flows(org: Org) -> None:
    password = org.options(
        auth={"flow": "password", "username": "u@x.com", "password": "pw",
              "security_token": "tok", "consumer_key": "k", "consumer_secret": "s"},
    )  # fmt: skip
    assert build("p", password).check()[0].ok
    creds = org.options(
        auth={"flow": "client_credentials", "consumer_key": "k", "consumer_secret": "s"}
    )
    assert build("c", creds).check()[0].ok


def test_bad_key_is_fatal_with_a_hint_and_no_secret(clock: ManualClock) -> None:
    app = short_sessions(clock)
    with make_org(app, clock) as org:
        app.oauth_apps.clear()
        app.register_external_client_app("other-app", "not a key")
        conn = org.connector()
        with pytest.raises(FatalError) as info:
            conn.client.login()
        message = str(info.value)
        assert "invalid_client_id client identifier invalid" in message
        assert "consumer_key" in message and "PRIVATE KEY" not in message


def test_plain_http_only_for_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SalesforceOptions.model_validate(
            {
                "instance_url": "http://acme.my.salesforce.com",
                "auth": {"flow": "client_credentials", "consumer_key": "k", "consumer_secret": "s"},
            }
        )
    with pytest.raises(ValueError, match="loopback"):
        CountingSession(5).allow_http("http://10.0.0.1:8080")


def test_retry_policy_retries_5xx_and_honours_retry_after(org: Org) -> None:
    conn = org.connector()
    conn.client.login()
    org.app.faults.update(rate_503=1.0)
    with pytest.raises(RetriableError, match=f"gave up after {ATTEMPTS} attempts"):
        list(conn.changes(None, org.clock.utc()))
    # the fake's 503 carries no Retry-After: jittered exponential backoff, capped
    assert len(org.clock.sleeps) == ATTEMPTS - 1
    assert all(0 <= s <= BACKOFF_MAX_S for s in org.clock.sleeps)
    org.clock.sleeps.clear()
    org.app.faults.replace(FaultSpec(rate_429=1.0))
    with pytest.raises(RateLimited):
        list(conn.changes(None, org.clock.utc()))
    # 429 waits honour the fake's Retry-After: 1 and have their own bound
    assert org.clock.sleeps == [1.0] * RATE_LIMIT_WAITS
    usage = conn.usage()
    assert usage.http_429 == RATE_LIMIT_WAITS + 1
    # every answer the session saw is counted by status: the login's 200s and the faults
    answered = {int(k): n for k, n in org.app.log.stats({})["by_status"].items()}
    assert usage.responses == answered
    assert usage.responses[503] == ATTEMPTS and usage.responses[429] == RATE_LIMIT_WAITS + 1
    assert usage.responses[200] >= 1


def test_request_limit_exceeded_is_not_retried(clock: ManualClock) -> None:
    app = SalesforceSandbox(clock=clock, sleep=lambda s: None, daily_api_limit=50)
    with make_org(app, clock) as org:
        conn = org.connector()
        conn.ensure_fields(create=False)  # the last answer said 3/50 used
        app.api_usage.used = app.api_usage.limit  # other integrations spent the rest
        with pytest.raises(BudgetExhausted, match="REQUEST_LIMIT_EXCEEDED"):
            list(conn.changes(None, clock.utc()))
        assert org.clock.sleeps == [] and conn.usage().stop


def test_every_call_has_a_timeout(clock: ManualClock) -> None:
    app = SalesforceSandbox(clock=clock, faults=FaultSpec(latency_ms=200))  # real sleeps
    with make_org(app, clock) as org:
        conn = org.connector(timeout=0.05)
        with pytest.raises(
            RetriableError,
            match=r"^login at http://127\.0\.0\.1:\d+/services/"
            r"oauth2/token \(check login_url\): gave up after .* "
            r"(ReadTimeout|no answer within timeout)",  # the socket's timeout or the deadline
        ):
            conn.client.login()
        assert len(org.clock.sleeps) == ATTEMPTS - 1
