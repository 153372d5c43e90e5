"""`syncd check` on fields: HubSpot properties the next cycle creates are ok ("will be
created"), exit 0; a wrong-type property and Salesforce's missing fields (a cycle only
verifies them) fail; every fix is stated once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.cli import main
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.salesforce_connector import CONSUMER_KEY, key_pair
from tests.kit.seed import MODEL

TOKEN = "pat-na1-check-token"
WILL = "will be created by the next cycle (or `syncd setup`)"
Invoke = Callable[[str], tuple[int, str]]


@pytest.fixture
def hubspot() -> Iterator[str]:
    with SandboxServer(HubSpotSandbox(token=TOKEN, rate_limits=False)) as server:
        yield server.url


@pytest.fixture
def salesforce() -> Iterator[str]:
    app = SalesforceSandbox(sleep=lambda s: None)
    app.register_connected_app(CONSUMER_KEY, key_pair()[1])
    with SandboxServer(app) as server:
        yield server.url


def _check(tmp_path: Path, connectors: str) -> tuple[int, str]:
    cfg = tmp_path / "syncd.yaml"
    cfg.write_text(
        f"state: {{url: 'sqlite:///{tmp_path / 'state.db'}'}}\nconnectors:\n{connectors}",
        encoding="utf-8",
    )
    env = {"HS_TOKEN": TOKEN, "SF_KEY": key_pair()[0], "COLUMNS": "400"}
    result = CliRunner().invoke(main, ["check", "--config", str(cfg)], env=env)
    assert "Traceback" not in result.output
    return int(result.exit_code), result.output


def _hs(url: str, extra: str = "") -> str:
    return (
        f"  hs:\n    type: hubspot\n    base_url: {url}\n"
        f"    access_token: ${{HS_TOKEN}}\n    model: {MODEL}\n{extra}"
    )


def _sf(url: str) -> str:
    auth = (
        f"{{flow: jwt, username: integration@syncd.example, consumer_key: {CONSUMER_KEY}, "
        'private_key: "${SF_KEY}"}'
    )
    return (
        f"  sf:\n    type: salesforce\n    instance_url: {url}\n    login_url: {url}\n"
        f"    auth: {auth}\n    model: {MODEL}\n    bulk_poll: 0s\n"
    )


def test_hubspot_properties_the_next_cycle_creates_pass(tmp_path: Path, hubspot: str) -> None:
    code, out = _check(tmp_path, _hs(hubspot))
    assert code == 0, out
    assert out.count(WILL) == 8
    assert "fail" not in out and "or run `syncd setup`" not in out


def test_wrong_type_property_fails_with_its_fix_once(tmp_path: Path, hubspot: str) -> None:
    fields = "    fields: {score: firstname, account_score: name}\n"
    code, out = _check(tmp_path, _hs(hubspot, fields))
    assert code == 1, out
    assert out.count("fail") == 2 and out.count(WILL) == 6
    assert out.count("rename the HubSpot property") == 1 and "(as above)" in out


def test_salesforce_missing_fields_fail_with_the_fix_stated_once(
    tmp_path: Path, hubspot: str, salesforce: str
) -> None:
    code, out = _check(tmp_path, _hs(hubspot) + _sf(salesforce))
    assert code == 1, out
    assert out.count("syncd setup --connector sf") == 1
    assert "Syncd_Score__c" in out and WILL in out
