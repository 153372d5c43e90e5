"""Setup mistakes get one-line errors naming the fix: base_url without a scheme or over
plain http to another host is refused at validation; a wrong port names the URL, the
cause and base_url; a URL of another service is named as such; a refused
credential names where to get one and its scopes.
Service keys, private-app tokens and OAuth are the three auth modes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from connectors.base import FatalError, RetriableError
from connectors.hubspot.auth import SCOPES
from connectors.hubspot.config import HubSpotOAuth, HubSpotOptions
from connectors.hubspot.connector import build
from syncd.sandbox.hubspot import HubSpotSandbox
from tests.kit.clock import ManualClock
from tests.kit.hubspot import Serve


def _options(**values: Any) -> HubSpotOptions:
    return HubSpotOptions.model_validate({"service_key": SecretStr("k"), **values})


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("api.hubapi.com", "scheme"),
        ("ftp://api.hubapi.com", "scheme"),
        ("http://api.hubapi.com", "plain http"),
        ("http://10.0.0.7:8080", "plain http"),
    ],
)
def test_unsafe_or_schemeless_base_url_is_refused(url: str, words: str) -> None:
    with pytest.raises(ValidationError) as err:
        _options(base_url=url)
    text = str(err.value)
    assert words in text and "base_url" in text


@pytest.mark.parametrize(
    "url",
    ["https://api.hubapi.com", "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert _options(base_url=url).base_url == url


def test_exactly_one_auth_mode_service_key_first() -> None:
    oauth = HubSpotOAuth(client_id="c", client_secret=SecretStr("s"), refresh_token=SecretStr("r"))
    assert _options().api_version == "2026-09"
    for values in ({"access_token": SecretStr("t")}, {"oauth": oauth}):
        with pytest.raises(ValidationError, match="service_key"):
            _options(**values)
    with pytest.raises(ValidationError, match="exactly one"):
        HubSpotOptions.model_validate({})
    assert HubSpotOptions.model_validate({"access_token": "t"}).service_key is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_wrong_port_names_the_url_the_cause_and_base_url(clock: ManualClock) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    conn = build("hs", _options(base_url=url), clock=clock, sleep=clock.sleep, max_attempts=2)
    with pytest.raises(RetriableError) as err:
        list(conn.changes(None, clock.utc()))
    text = str(err.value)
    assert url in text and "refused" in text and "base_url" in text
    assert "MaxRetryError" not in text and "\n" not in text
    [item] = [c for c in conn.check() if c.name == "credentials"]
    assert not item.ok and url in item.detail


class _NotHubSpot(BaseHTTPRequestHandler):
    """Another service: 401 with a plain-text body and none of HubSpot's headers."""

    def do_GET(self) -> None:
        body = b"Unauthorized"
        self.send_response(401)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture()
def other_service() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _NotHubSpot)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_url_of_another_service_is_named_as_such(clock: ManualClock, other_service: str) -> None:
    conn = build("hs", _options(base_url=other_service), clock=clock, sleep=clock.sleep)
    with pytest.raises(FatalError) as err:
        list(conn.changes(None, clock.utc()))
    text = str(err.value)
    assert other_service in text and "does not look like HubSpot" in text and "base_url" in text
    assert "refused the credentials" not in text


def test_a_refused_service_key_says_where_to_create_one_and_its_scopes(
    serve: Serve, clock: ManualClock
) -> None:
    app = HubSpotSandbox(clock=clock, rate_limits=False, token="the-right-key")
    url = serve(app).url
    conn = build("hs", _options(base_url=url, service_key="wrong"), clock=clock, sleep=clock.sleep)
    [item] = conn.check()[:1]
    assert not item.ok and "service key" in item.detail
    assert "Service keys" in item.fix and all(name in item.fix for name, _ in SCOPES)
    good = build(
        "hs", _options(base_url=url, service_key="the-right-key"), clock=clock, sleep=clock.sleep
    )
    assert good.check()[0].ok
    assert good.ensure_fields(create=True).ok
