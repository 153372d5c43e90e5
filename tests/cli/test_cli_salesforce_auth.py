"""What a new user sees for each Salesforce setup mistake: one line naming the
flow, Salesforce's answer and the fix (``run --once``); ``validate`` refuses
URLs that cannot work and warns about the legacy password flow; ``check``
warns about it and fails naming an API version the org does not serve."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.cli import main
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.salesforce_connector import key_pair
from tests.kit.seed import MODEL

KEY = "syncd-eca"
USER = "integration@syncd.example"
JWT = f'auth: {{flow: jwt, username: {USER}, consumer_key: {KEY}, private_key: "${{SF_KEY}}"}}'
PASSWORD = (
    f"auth: {{flow: password, username: {USER}, password: pw, consumer_key: legacy, "
    "consumer_secret: s}"
)
Invoke = Callable[..., tuple[int, str]]


@pytest.fixture
def invoke(tmp_path: Path) -> Invoke:
    def run(lines: list[str], *args: str) -> tuple[int, str]:
        cfg = tmp_path / "syncd.yaml"
        body = "".join(f"    {line}\n" for line in lines)
        cfg.write_text(
            f"state: {{url: 'sqlite:///{tmp_path / 'state.db'}'}}\n"
            f"connectors:\n  sf:\n    type: salesforce\n    model: {MODEL}\n"
            f"    bulk_poll: 0s\n{body}",
            encoding="utf-8",
        )
        result = CliRunner().invoke(
            main, [*args, "--config", str(cfg)], env={"SF_KEY": key_pair()[0], "COLUMNS": "250"}
        )
        assert "Traceback" not in result.output
        return int(result.exit_code), result.output

    return run


def serve(app: SalesforceSandbox) -> Iterator[str]:
    with SandboxServer(app) as server:
        yield server.url


@pytest.fixture
def org() -> SalesforceSandbox:
    return SalesforceSandbox(sleep=lambda s: None)


@pytest.fixture
def url(org: SalesforceSandbox) -> Iterator[str]:
    yield from serve(org)


def failure(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("sf: failed: ")]
    assert len(lines) == 1, output
    return lines[0].removeprefix("sf: failed: ")


def test_user_not_pre_authorised(invoke: Invoke, org: SalesforceSandbox, url: str) -> None:
    org.register_external_client_app(KEY, key_pair()[1], pre_authorized=[])
    code, out = invoke([f"instance_url: {url}", f"login_url: {url}", JWT], "run", "--once")
    assert code == 1
    assert failure(out) == (
        f"Salesforce login (jwt) at {url}/services/oauth2/token refused: invalid_grant user "
        f"hasn't approved this consumer; auth.username '{USER}' is not pre-authorised for the "
        "External Client App (or connected app), or no active user has that username in this "
        "org: check auth.username (a sandbox username ends in .SANDBOXNAME), set the app's "
        "policy to 'Admin approved users are pre-authorized' and add the user's profile or "
        "permission set"
    )


def test_wrong_username_in_sub(invoke: Invoke, org: SalesforceSandbox, url: str) -> None:
    org.register_external_client_app(KEY, key_pair()[1])
    wrong = JWT.replace(USER, "integration@syncd.example.uat")
    code, out = invoke([f"instance_url: {url}", f"login_url: {url}", wrong], "run", "--once")
    assert code == 1
    assert (
        "refused: invalid_grant user hasn't approved this consumer; auth.username "
        "'integration@syncd.example.uat' is not pre-authorised" in failure(out)
    )


def test_wrong_audience(invoke: Invoke, org: SalesforceSandbox, url: str) -> None:
    org.register_external_client_app(KEY, key_pair()[1])
    org.foreign_hosts.add("localhost")  # reaches the org, but is not its login domain
    other = url.replace("127.0.0.1", "localhost")
    code, out = invoke([f"instance_url: {url}", f"login_url: {other}", JWT], "run", "--once")
    assert code == 1
    assert failure(out) == (
        f"Salesforce login (jwt) at {other}/services/oauth2/token refused: invalid_grant "
        f"audience is invalid; the assertion is addressed to login_url {other}: set login_url "
        "to the org's My Domain URL (https://YOUR-DOMAIN.my.salesforce.com), "
        "https://login.salesforce.com or https://test.salesforce.com (sandboxes)"
    )


def test_expired_assertion_names_the_clock(invoke: Invoke) -> None:
    app = SalesforceSandbox(sleep=lambda s: None, clock=lambda: time.time() + 3600)
    app.register_external_client_app(KEY, key_pair()[1])
    for url in serve(app):
        code, out = invoke([f"instance_url: {url}", f"login_url: {url}", JWT], "run", "--once")
    assert code == 1
    assert failure(out).endswith(
        "refused: invalid_grant expired authorization code; the assertion had expired when "
        "Salesforce read it: set this machine's clock right (NTP); syncd signs assertions "
        "valid for 3 minutes"
    )


def test_client_credentials_without_run_as_user(
    invoke: Invoke, org: SalesforceSandbox, url: str
) -> None:
    org.register_external_client_app(KEY, consumer_secret="s3cret")
    auth = f"auth: {{flow: client_credentials, consumer_key: {KEY}, consumer_secret: s3cret}}"
    code, out = invoke([f"instance_url: {url}", auth], "run", "--once")
    assert code == 1
    assert failure(out) == (
        f"Salesforce login (client_credentials) at {url}/services/oauth2/token refused: "
        "invalid_grant no client credentials user enabled; the app has no run-as user for the "
        "client credentials flow: in the External Client App's policies enable the Client "
        "Credentials Flow and set Run As to the integration user"
    )
    assert "s3cret" not in out


def test_unreachable_login_host_is_named_without_retries(invoke: Invoke) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    code, out = invoke([f"login_url: {url}", JWT], "run", "--once")
    assert code == 1 and time.monotonic() - started < 10  # five backoffs take 15 s
    assert failure(out) == (
        f"Salesforce login: cannot reach {url}/services/oauth2/token: 127.0.0.1:{port} "
        "refused the connection (nothing listens there); check login_url"
    )


def test_tls_failure_and_wrong_service_are_named(invoke: Invoke, url: str) -> None:
    https = url.replace("http://", "https://")
    code, out = invoke([f"login_url: {https}", JWT], "run", "--once")
    assert code == 1
    host = https.removeprefix("https://")
    assert failure(out) == (
        f"Salesforce login: cannot reach {https}/services/oauth2/token: the TLS handshake with "
        f"{host} failed (not an https server, or its certificate is not trusted); check login_url"
    )
    with SandboxServer(HubSpotSandbox()) as hubspot:
        code, out = invoke([f"login_url: {hubspot.url}", JWT], "run", "--once")
    assert code == 1
    assert failure(out) == (
        f"Salesforce login (jwt) at {hubspot.url}/services/oauth2/token: the answer (401, "
        "application/json) is not from a Salesforce token endpoint; check login_url (the org's "
        "My Domain URL, https://YOUR-DOMAIN.my.salesforce.com)"
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["instance_url: acme.my.salesforce.com", JWT],
            "'acme.my.salesforce.com' is not a URL: write it with its scheme, "
            "e.g. https://acme.my.salesforce.com",
        ),
        (
            ["instance_url: http://acme.my.salesforce.com", JWT],
            "plain http is allowed only for loopback hosts; use https://acme.my.salesforce.com",
        ),
        (
            ["auth: {flow: client_credentials, consumer_key: k, consumer_secret: s}"],
            "answers it with 'request not supported on this domain'",
        ),
    ],
)
def test_validate_refuses_urls_that_cannot_work(
    invoke: Invoke, lines: list[str], expected: str
) -> None:
    code, out = invoke(lines, "validate")
    assert code == 1 and expected in " ".join(out.split()), out


def test_validate_warns_about_the_password_flow(invoke: Invoke) -> None:
    code, out = invoke(["instance_url: https://acme.my.salesforce.com", PASSWORD], "validate")
    assert code == 0, out
    assert (
        "warning: connector sf: auth.flow password is legacy: Salesforce is retiring "
        "password logins (SOAP login() retires with Summer '27, June 2027)"
    ) in out
    assert "config ok: sf" in out


def _check(invoke: Invoke, url: str, auth: str) -> tuple[int, str]:
    lines = [f"instance_url: {url}", f"login_url: {url}", auth]
    code, out = invoke(lines, "setup", "--connector", "sf")
    assert code == 0, out
    return invoke(lines, "check")


def test_check_warns_about_the_password_flow_and_passes(
    invoke: Invoke, org: SalesforceSandbox, url: str
) -> None:
    org.register_connected_app("legacy", consumer_secret="s")
    code, out = _check(invoke, url, PASSWORD)
    assert code == 0, out
    flat = " ".join(out.replace("│", " ").split())
    assert "settings warn auth.flow password is legacy" in flat
    assert "api version ok v66.0 (Spring '26)" in flat


def test_check_fails_naming_a_version_the_org_lacks(invoke: Invoke) -> None:
    app = SalesforceSandbox(sleep=lambda s: None, api_versions=["64.0", "65.0"])
    app.register_external_client_app(KEY, key_pair()[1])
    for url in serve(app):
        code, out = invoke([f"instance_url: {url}", f"login_url: {url}", JWT], "check")
    assert code == 1
    flat = " ".join(out.replace("│", " ").split())
    assert "api version fail the org does not serve REST API v66.0" in flat, out
