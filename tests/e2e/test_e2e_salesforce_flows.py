"""One full cycle per Salesforce login flow, through the `syncd` command line
against the fake org: JWT bearer via an External Client App (the default),
client credentials with the app's run-as user, and the legacy password flow of
an existing connected app (which works and is warned about). Every contact is
scored and written back; no secret is printed; no SOAP call is made."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.cli import main
from syncd.sandbox.generator import generate
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.sync import utc_now
from tests.kit.salesforce_connector import key_pair
from tests.kit.seed import MODEL

USER = "integration@syncd.example"
SECRET = "s3cret-consumer-value"


def _jwt(app: SalesforceSandbox, url: str) -> list[str]:
    app.register_external_client_app("syncd-eca", key_pair()[1])
    return [
        f"login_url: {url}",
        f"auth: {{flow: jwt, username: {USER}, consumer_key: syncd-eca, "
        'private_key: "${SF_SECRET}"}',
    ]


def _client_credentials(app: SalesforceSandbox, url: str) -> list[str]:
    app.register_external_client_app("syncd-cc", consumer_secret=SECRET, run_as=USER)
    return [
        'auth: {flow: client_credentials, consumer_key: syncd-cc, consumer_secret: "${SF_SECRET}"}'
    ]


def _password(app: SalesforceSandbox, url: str) -> list[str]:
    app.register_connected_app("legacy-app", consumer_secret=SECRET)
    return [
        f"login_url: {url}",
        f'auth: {{flow: password, username: {USER}, password: "${{SF_SECRET}}", '
        'consumer_key: legacy-app, consumer_secret: "${SF_SECRET}"}',
    ]


FLOWS: dict[str, tuple[Callable[[SalesforceSandbox, str], list[str]], str]] = {
    "jwt": (_jwt, key_pair()[0]),
    "client_credentials": (_client_credentials, SECRET),
    "password": (_password, SECRET),
}


@pytest.mark.parametrize("flow", list(FLOWS))
def test_a_full_cycle_per_login_flow(tmp_path: Path, flow: str) -> None:
    configure, secret = FLOWS[flow]
    app = SalesforceSandbox(generate(4, 12, utc_now().replace(microsecond=0)), sleep=lambda s: None)
    with SandboxServer(app) as server:
        lines = [f"instance_url: {server.url}", *configure(app, server.url)]
        cfg = tmp_path / "syncd.yaml"
        cfg.write_text(
            f"state: {{url: 'sqlite:///{tmp_path / 'state.db'}'}}\n"
            "connectors:\n  sf:\n    type: salesforce\n"
            f"    model: {MODEL}\n    bulk_poll: 0s\n" + "".join(f"    {line}\n" for line in lines),
            encoding="utf-8",
        )
        outputs = []
        for args in (
            ["validate"],
            ["setup", "--connector", "sf"],
            ["check"],
            ["run", "--once"],
            ["status", "--json"],
        ):
            result = CliRunner().invoke(
                main, [*args, "--config", str(cfg)], env={"SF_SECRET": secret}
            )
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
        contacts = [r for r in app.store.table("Contact").values() if not r["IsDeleted"]]
        grants = {r.path for r in app.log.requests() if "/oauth2/" in r.path or "Soap" in r.path}
    status = json.loads(outputs[-1])["connectors"][0]
    assert status["last_run"]["status"] == "ok" and status["last_run"]["counts"]["written"] > 0
    assert contacts and all(r["Syncd_Score__c"] is not None for r in contacts)
    assert grants == {"/services/oauth2/token"}
    warned = "auth.flow password is legacy" in outputs[0]
    assert warned == (flow == "password")
    body = secret.splitlines()[1] if flow == "jwt" else secret
    assert all(body not in out for out in outputs)
