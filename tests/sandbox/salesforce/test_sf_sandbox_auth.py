"""Login flows, session expiry, the daily API allocation and Sforce-Limit-Info."""

from __future__ import annotations

from typing import Any

import jwt
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
    app.register_external_client_app("key", public)
    sf = Salesforce(
        username="integration@syncd.example",
        consumer_key="key",
        privatekey=private,
        session=loopback_session(server.url),
    )
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1


def test_jwt_assertion_without_claims_is_refused(server: SandboxServer) -> None:
    bad = jwt.encode({"iss": "key"}, "s" * 32, algorithm="HS256")
    answer = requests.post(
        f"{server.url}/services/oauth2/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": bad},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


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


def test_a_session_in_use_lives_on_and_an_idle_one_times_out(
    app: SalesforceSandbox, server: SandboxServer, clock: ManualClock
) -> None:
    """The org's session timeout (2 hours here) counts inactivity: every request
    restarts it, so a session used hourly lives on; one idle for the timeout ends."""
    sf = Salesforce(
        instance_url=app.instance_url,
        session_id=app.new_session(),
        session=loopback_session(server.url),
    )
    for _hour in range(5):
        clock.advance(3600)
        assert sf.query("SELECT Id FROM User")["totalSize"] == 1
    clock.advance(7200)
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM User")


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
    assert versions[0] == {"label": "Summer '14", "url": "/services/data/v31.0", "version": "31.0"}
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions
    assert versions[-1] == {"label": "Spring '26", "url": "/services/data/v66.0", "version": "66.0"}


def test_versions_are_configurable_and_an_unlisted_one_is_not_served() -> None:
    app = SalesforceSandbox(api_versions=["64.0", "65.0"])
    with SandboxServer(app) as srv:
        listed = requests.get(f"{srv.url}/services/data", timeout=5).json()
        assert [v["version"] for v in listed] == ["64.0", "65.0"]
        headers = {"Authorization": "Bearer " + app.new_session()}
        gone = requests.get(f"{srv.url}/services/data/v66.0/limits", headers=headers, timeout=5)
        assert gone.status_code == 404 and gone.json()[0]["errorCode"] == "NOT_FOUND"
        older = requests.get(f"{srv.url}/services/data/v65.0/limits", headers=headers, timeout=5)
        assert older.status_code == 200


# ---------------------------------------------------------------- token endpoint

KINDS = ["register_external_client_app", "register_connected_app"]
JWT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _post(server: SandboxServer, host: str, **form: str) -> requests.Response:
    return loopback_session(server.url).post(
        f"https://{host}/services/oauth2/token", data=form, timeout=5
    )


@pytest.mark.parametrize("kind", KINDS)
def test_jwt_setup_mistakes_answer_as_salesforce_for_both_app_kinds(
    app: SalesforceSandbox, server: SandboxServer, kind: str
) -> None:
    private, public = new_key_pair()
    getattr(app, kind)("ok", public)
    getattr(app, kind)("nobody-approved", public, pre_authorized=[])
    app.foreign_hosts.add("acme.lightning.force.com")
    now = app.clock()
    good = {
        "iss": "ok",
        "sub": "Integration@syncd.example",
        "aud": "https://login.salesforce.com",
        "exp": now + 180,
    }

    def token(host: str = "login.salesforce.com", **claims: Any) -> requests.Response:
        assertion = jwt.encode({**good, **claims}, private, algorithm="RS256")
        return _post(server, host, grant_type=JWT, assertion=assertion)

    assert token().status_code == 200
    assert (
        token(
            "syncd-sandbox.my.salesforce.com", aud="https://syncd-sandbox.my.salesforce.com"
        ).status_code
        == 200
    )
    not_approved = {
        "error": "invalid_grant",
        "error_description": "user hasn't approved this consumer",
    }
    cases = [
        (token(iss="nobody-approved"), not_approved),
        (token(sub="someone.else@syncd.example"), not_approved),
        (
            token(exp=now - 1),
            {"error": "invalid_grant", "error_description": "expired authorization code"},
        ),
        (
            token("acme.lightning.force.com", aud="https://acme.lightning.force.com"),
            {"error": "invalid_grant", "error_description": "audience is invalid"},
        ),
    ]
    for answer, body in cases:
        assert (answer.status_code, answer.json()) == (400, body)


@pytest.mark.parametrize("kind", KINDS)
def test_client_credentials_need_a_run_as_user_for_both_app_kinds(
    app: SalesforceSandbox, server: SandboxServer, kind: str
) -> None:
    getattr(app, kind)("with-user", consumer_secret="s", run_as="integration@syncd.example")
    getattr(app, kind)("no-user", consumer_secret="s")
    host = "syncd-sandbox.my.salesforce.com"
    ok = _post(
        server, host, grant_type="client_credentials", client_id="with-user", client_secret="s"
    )
    assert ok.status_code == 200 and ok.json()["id"].endswith(app.integration_user_id)
    answers = {
        "no-user": _post(
            server, host, grant_type="client_credentials", client_id="no-user", client_secret="s"
        ),
        "bad-secret": _post(
            server,
            host,
            grant_type="client_credentials",
            client_id="with-user",
            client_secret="nope",
        ),
        "generic": _post(
            server,
            "login.salesforce.com",
            grant_type="client_credentials",
            client_id="with-user",
            client_secret="s",
        ),
    }
    assert {k: (a.status_code, a.json()["error_description"]) for k, a in answers.items()} == {
        "no-user": (400, "no client credentials user enabled"),
        "bad-secret": (400, "invalid client credentials"),
        "generic": (400, "request not supported on this domain"),
    }


def test_password_flow_works_for_connected_apps_only(
    app: SalesforceSandbox, server: SandboxServer
) -> None:
    app.register_connected_app("legacy", consumer_secret="s")
    app.register_external_client_app("modern", consumer_secret="s")
    form = {
        "grant_type": "password",
        "client_secret": "s",
        "username": "integration@syncd.example",
        "password": "pw",
    }
    assert _post(server, "login.salesforce.com", client_id="legacy", **form).status_code == 200
    refused = _post(server, "login.salesforce.com", client_id="modern", **form)
    assert (refused.status_code, refused.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "authentication failure"},
    )


def test_no_soap_login(server: SandboxServer) -> None:
    answer = requests.post(f"{server.url}/services/Soap/u/59.0", data="<login/>", timeout=5)
    assert answer.status_code == 401 and "sessionId" not in answer.text  # no login there
