"""Login flows, session expiry, the daily API allocation and Sforce-Limit-Info."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceRefusedRequest

from syncd.sandbox.salesforce import SalesforceSandbox, loopback_session
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock
from tests.kit.salesforce import errors_of
from tests.kit.salesforce_connector import new_key_pair


def test_oauth_password_flow(server: SandboxServer) -> None:
    sf = Salesforce(
        username="u@example.com",
        password="pw",
        consumer_key="key",
        consumer_secret="secret",
        session=loopback_session(server.url),
    )
    assert sf.sf_instance == "syncd-sandbox.my.salesforce.com"
    assert sf.query("SELECT COUNT() FROM User")["totalSize"] == 1


def test_oauth_client_credentials_flow(server: SandboxServer) -> None:
    sf = Salesforce(
        consumer_key="key",
        consumer_secret="secret",
        domain="syncd-sandbox.my",
        session=loopback_session(server.url),
    )
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000


def test_oauth_jwt_bearer_flow(app: SalesforceSandbox, server: SandboxServer) -> None:
    private, public = new_key_pair()
    app.register_connected_app("key", public)
    sf = Salesforce(
        username="u@example.com",
        consumer_key="key",
        privatekey=private,
        session=loopback_session(server.url),
    )
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1


def test_jwt_assertion_without_claims_is_refused(server: SandboxServer) -> None:
    import jwt

    bad = jwt.encode({"iss": "key"}, "s" * 32, algorithm="HS256")
    answer = requests.post(
        f"{server.url}/services/oauth2/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": bad},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_soap_username_password_token_login(server: SandboxServer) -> None:
    sf = Salesforce(
        username="u@example.com",
        password="pw",
        security_token="tok",
        session=loopback_session(server.url),
    )
    assert sf.sf_instance == "syncd-sandbox.my.salesforce.com"
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1


def test_expired_session_raises_and_relogin_works(
    app: SalesforceSandbox, server: SandboxServer, clock: ManualClock
) -> None:
    session = loopback_session(server.url)
    sf = Salesforce(instance_url=app.instance_url, session_id=app.new_session(), session=session)
    sf.query("SELECT Id FROM User")
    clock.advance(7201)
    with pytest.raises(SalesforceExpiredSession) as info:
        sf.query("SELECT Id FROM User")
    assert errors_of(info.value)[0]["errorCode"] == "INVALID_SESSION_ID"
    # a client that logged in itself refreshes its session on 401 and carries on
    relogin = Salesforce(
        username="u", password="p", consumer_key="k", consumer_secret="s", session=session
    )
    clock.advance(7201)
    assert relogin.query("SELECT Id FROM User")["totalSize"] == 1


def test_daily_allocation_exhaustion_and_limit_info(clock: ManualClock) -> None:
    app = SalesforceSandbox(daily_api_limit=3, clock=clock)
    with SandboxServer(app) as srv:
        sf = Salesforce(
            instance_url=app.instance_url,
            session_id=app.new_session(),
            session=loopback_session(srv.url),
        )
        sf.query("SELECT Id FROM User")
        assert sf.api_usage["api-usage"].used == 1
        assert sf.api_usage["api-usage"].total == 3
        limits = sf.limits()
        assert limits["DailyApiRequests"] == {"Max": 3, "Remaining": 1}
        sf.query("SELECT Id FROM User")
        with pytest.raises(SalesforceRefusedRequest) as info:
            sf.query("SELECT Id FROM User")
        assert info.value.status == 403
        assert errors_of(info.value) == [
            {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
        ]
        raw = requests.get(
            f"{srv.url}/services/data/v59.0/limits",
            timeout=5,
            headers={"Authorization": "Bearer " + app.new_session()},
        )
        assert raw.headers["Sforce-Limit-Info"] == "api-usage=3/3"


def test_versions_list_needs_no_session(server: SandboxServer) -> None:
    versions = requests.get(f"{server.url}/services/data/", timeout=5).json()
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions
