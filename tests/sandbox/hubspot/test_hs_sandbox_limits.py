"""Auth, rate limits (injected clock) and injected faults of the fake HubSpot."""

from __future__ import annotations

import pytest
import urllib3
from hubspot import HubSpot
from hubspot.crm.contacts import ApiException
from urllib3.util.retry import Retry

from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock


def test_bad_token_is_401_in_hubspot_shape() -> None:
    with SandboxServer(HubSpotSandbox(rate_limits=False)) as srv:
        hs = HubSpot(access_token="wrong", host=srv.url)
        with pytest.raises(ApiException) as err:
            hs.crm.contacts.basic_api.get_page()
    assert err.value.status == 401
    assert "INVALID_AUTHENTICATION" in err.value.body


def test_burst_and_search_limits_answer_429_with_retry_after() -> None:
    clock = ManualClock()
    app = HubSpotSandbox(tier="free", clock=clock)
    app.store.add("contacts", {"email": "a@x.io"}, created_ms=0)  # long indexed
    with SandboxServer(app) as srv:
        # urllib3's default Retry(3) honours Retry-After on 429 and would sleep and retry
        # silently (in real time); a connector passes its own policy, as here
        no_retry = Retry(total=0, respect_retry_after_header=False)
        hs = HubSpot(access_token="sandbox-token", host=srv.url, retry=no_retry)
        contacts = hs.crm.contacts.basic_api
        first = contacts.get_page_with_http_info(limit=1)
        headers = first[2]
        assert headers["X-HubSpot-RateLimit-Max"] == "100"
        assert headers["X-HubSpot-RateLimit-Remaining"] == "99"
        assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert "X-HubSpot-RateLimit-Daily-Remaining" in headers
        for _ in range(99):
            contacts.get_page(limit=1)
        with pytest.raises(ApiException) as err:
            contacts.get_page(limit=1)
        assert err.value.status == 429
        assert err.value.headers["Retry-After"] == "1"
        assert '"policyName":"TEN_SECONDLY_ROLLING"' in err.value.body
        assert '"errorType":"RATE_LIMIT"' in err.value.body
        clock.advance(1.0)  # 10 tokens back
        contacts.get_page(limit=1)
        # search has its own per-second bucket
        search = hs.crm.contacts.search_api.do_search
        for _ in range(5):
            search(public_object_search_request={"limit": 1})
        with pytest.raises(ApiException) as err:
            search(public_object_search_request={"limit": 1})
        assert err.value.status == 429 and '"policyName":"SECONDLY"' in err.value.body
        assert '"message":"You have reached your secondly limit."' in err.value.body
        clock.advance(1.0)
        assert search(public_object_search_request={"limit": 1}).total == 1
    assert app.log.count(status=429) == 2


def test_pro_tier_has_190_per_ten_seconds() -> None:
    app = HubSpotSandbox(tier="pro", clock=ManualClock())
    with SandboxServer(app) as srv:
        hs = HubSpot(access_token="sandbox-token", host=srv.url)
        headers = hs.crm.contacts.basic_api.get_page_with_http_info(limit=1)[2]
    assert headers["X-HubSpot-RateLimit-Max"] == "190"


def test_injected_500_and_dropped_connection() -> None:
    app = HubSpotSandbox(rate_limits=False, faults=FaultSpec(rate_500=1.0))
    with SandboxServer(app) as srv:
        hs = HubSpot(access_token="sandbox-token", host=srv.url)
        with pytest.raises(ApiException) as err:
            hs.crm.contacts.basic_api.get_page()
        assert err.value.status == 500 and '"correlationId"' in err.value.body
        app.faults.replace(FaultSpec(drop_rate=1.0))
        fresh = HubSpot(access_token="sandbox-token", host=srv.url)
        with pytest.raises(urllib3.exceptions.HTTPError):
            fresh.crm.contacts.basic_api.get_page(_request_timeout=2)
        app.faults.replace(FaultSpec())
        assert hs.crm.contacts.basic_api.get_page().results == []
