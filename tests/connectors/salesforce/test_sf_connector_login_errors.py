"""Login failures name the URL, the cause and the setting; the token request never
follows a redirect; 429/5xx from the token endpoint are retried like any call;
API redirects stay within the configured hosts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NameResolutionError

from connectors.base import FatalError, RetriableError
from connectors.salesforce.connector import SalesforceConnector, build
from connectors.salesforce.transport import CountingSession
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.clock import ManualClock
from tests.kit.salesforce_connector import Org

TOKEN = "POST /services/oauth2/token"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_token_endpoint_429_and_503_are_retried_like_any_call(org: Org) -> None:
    org.app.token_failures = [429, 503]
    conn = org.connector()
    conn.client.login()
    assert org.requests(TOKEN) == 3
    assert org.clock.sleeps == [1.0, 1.0]  # the token endpoint's Retry-After: 1


def test_token_redirect_is_refused_and_no_credential_leaves(org: Org) -> None:
    other = SalesforceSandbox(sleep=lambda s: None)
    with SandboxServer(other) as elsewhere:
        org.app.token_redirect = f"{elsewhere.url}/services/oauth2/token"
        conn = org.connector()
        with pytest.raises(FatalError) as info:
            conn.client.login()
        assert other.log.requests() == []
    message = str(info.value)
    assert "answered 307, redirecting to 127.0.0.1:" in message
    assert "does not re-send credentials" in message and "set login_url" in message
    assert org.requests(TOKEN) == 1


def test_refused_login_host_fails_at_once_naming_url_and_setting(org: Org) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    conn = org.connector(login_url=url, instance_url=None)
    with pytest.raises(RetriableError) as info:
        conn.client.login()
    assert str(info.value) == (
        f"Salesforce login: cannot reach {url}/services/oauth2/token: 127.0.0.1:"
        f"{url.rsplit(':', 1)[1]} refused the connection (nothing listens there); check login_url"
    )
    assert org.clock.sleeps == []  # not retried five times first


class DnsFailure(HTTPAdapter):
    """What urllib3 raises when a host name does not resolve (no lookup is made)."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        host = urlsplit(request.url or "").hostname or ""
        reason = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        try:
            raise NameResolutionError(host, None, reason) from reason  # type: ignore[arg-type]
        except NameResolutionError as exc:
            raise requests.ConnectionError(MaxRetryError(None, request.url or "", exc)) from None  # type: ignore[arg-type]


def test_unresolvable_login_host_names_dns_and_the_setting(org: Org) -> None:
    session = CountingSession(5)
    session.mount("https://", DnsFailure())
    options = org.options(login_url="https://acme.my.salesforce.com", instance_url=None)
    conn = build("dns", options, clock=org.clock, sleep=org.clock.sleep, session=session)
    assert isinstance(conn, SalesforceConnector)
    with pytest.raises(
        RetriableError,
        match=r"cannot reach https://acme\.my\.salesforce\.com"
        r"/services/oauth2/token: the host name does not resolve \(DNS\); "
        r"check login_url$",
    ):
        conn.client.login()
    assert org.clock.sleeps == []


def test_tls_failure_names_the_host_and_setting(org: Org) -> None:
    https = org.server.url.replace("http://", "https://")
    conn = org.connector(login_url=https, instance_url=None)
    with pytest.raises(
        FatalError,
        match=r"the TLS handshake with 127\.0\.0\.1:\d+ failed.*"
        r"check login_url$",
    ):
        conn.client.login()


def test_wrong_service_answering_is_named(org: Org) -> None:
    with SandboxServer(HubSpotSandbox()) as hubspot:
        conn = org.connector(login_url=hubspot.url, instance_url=None)
        with pytest.raises(FatalError) as info:
            conn.client.login()
    message = str(info.value)
    assert f"at {hubspot.url}/services/oauth2/token: the answer (401, application/json)" in message
    assert "is not from a Salesforce token endpoint; check login_url" in message


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (
            {"pre_authorized": []},
            "invalid_grant user hasn't approved this consumer; "
            "auth.username 'integration@syncd.example' is not pre-authorised",
        ),
        ({"certificate": None}, "invalid_grant invalid assertion; the assertion's signature"),
    ],
)
def test_jwt_refusals_name_the_fix(
    clock: ManualClock, setup: dict[str, Any], expected: str
) -> None:
    from tests.kit.salesforce_connector import CONSUMER_KEY, key_pair, make_org

    app = SalesforceSandbox(clock=clock, sleep=lambda s: None)
    with make_org(app, clock) as org:
        args: dict[str, Any] = {"certificate": key_pair()[1], **setup}
        app.register_external_client_app(CONSUMER_KEY, **args)
        with pytest.raises(FatalError) as info:
            org.connector().client.login()
    assert (
        f"Salesforce login (jwt) at {org.server.url}/services/oauth2/token refused: "
        f"{expected}" in str(info.value)
    )


class Redirector(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_port  # type: ignore[attr-defined]
        targets = {
            "/same": f"http://127.0.0.1:{port}/final",
            "/other": f"http://127.0.0.2:{port}/final",
            "/trusted-http": "http://acme.my.salesforce.com/final",
        }
        if self.path in targets:
            self.send_response(302)
            self.send_header("Location", targets[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b'{"done": true}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def redirector() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_api_redirects_stay_within_configured_hosts(redirector: str) -> None:
    session = CountingSession(5)
    session.trust("https://acme.my.salesforce.com")
    assert session.get(f"{redirector}/same").json() == {"done": True}
    with pytest.raises(
        FatalError,
        match=r"redirected a call to http://127\.0\.0\.2:\d+, which is "
        "not the configured login_url/instance_url host",
    ):
        session.get(f"{redirector}/other")
    with pytest.raises(FatalError, match="follows redirects over https only"):
        session.get(f"{redirector}/trusted-http")
    assert sum(session.calls.values()) == 4  # 2 for /same; none followed a refused redirect
