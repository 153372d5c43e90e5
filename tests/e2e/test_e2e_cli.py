"""The real wiring: `syncd setup`, `syncd run --once`, `syncd status`, `syncd check`
against both sandboxes through the real connectors (no injected factory), with
secrets only in the environment; none of them appears in any output."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.cli import main
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.sync import utc_now
from tests.e2e.test_e2e_salesforce import CONSUMER_KEY, keys  # noqa: F401 (fixture)
from tests.kit.seed import MODEL

HS_TOKEN = "pat-na1-e2e-secret-token"


@pytest.fixture
def servers(keys: tuple[str, str]) -> Iterator[tuple[str, str]]:  # noqa: F811
    past = utc_now().replace(microsecond=0)
    hs = HubSpotSandbox(generate(2, 15, past), token=HS_TOKEN, rate_limits=False, search_lag_s=0.0)
    sf = SalesforceSandbox(generate(3, 15, past), sleep=lambda s: None)
    sf.register_connected_app(CONSUMER_KEY, keys[1])
    with SandboxServer(hs) as h, SandboxServer(sf) as s:
        yield h.url, s.url


def test_cli_against_both_sandboxes(
    tmp_path: Path,
    servers: tuple[str, str],
    keys: tuple[str, str],  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    hs_url, sf_url = servers
    cfg = tmp_path / "syncd.yaml"
    cfg.write_text(
        f"""\
state:
  url: sqlite:///{tmp_path / "state.db"}
connectors:
  hubspot-main:
    type: hubspot
    base_url: {hs_url}
    access_token: ${{HUBSPOT_TOKEN}}
    model: {MODEL}
    schedule: {{every: 15m}}
    safety_lag: PT0S
  salesforce-prod:
    type: salesforce
    instance_url: {sf_url}
    login_url: {sf_url}
    auth: {{flow: jwt, username: integration@syncd.example, consumer_key: {CONSUMER_KEY},
            private_key: "${{SF_KEY}}"}}
    model: {MODEL}
    schedule: {{cron: "*/10 * * * *"}}
    bulk_poll: 0s
""",
        encoding="utf-8",
    )
    env = {"HUBSPOT_TOKEN": HS_TOKEN, "SF_KEY": keys[0]}
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        r = runner.invoke(main, [*args, "--config", str(cfg)], env=env)
        return int(r.exit_code), r.output

    outputs = []
    code, out = invoke("run", "--once")
    outputs.append(out)
    assert code == 1 and "syncd setup --connector salesforce-prod" in out.replace("\n", " ")
    for name in ("salesforce-prod", "hubspot-main"):
        code, out = invoke("setup", "--connector", name)
        outputs.append(out)
        assert code == 0, out
    code, out = invoke("check")
    outputs.append(out)
    assert code == 0, out
    code, out = invoke("run", "--once")
    outputs.append(out)
    assert code == 0, out
    code, out = invoke("status", "--json")
    outputs.append(out)
    st = {c["connector"]: c for c in json.loads(out)["connectors"]}
    assert st["hubspot-main"]["last_run"]["status"] == "ok"
    assert st["salesforce-prod"]["last_run"]["counts"]["written"] > 0
    assert st["hubspot-main"]["pending_writes"] == 0
    logged = "\n".join(
        r.getMessage() + " " + json.dumps(r.__dict__, default=str) for r in caplog.records
    )
    private_body = keys[0].splitlines()[1]
    for text in [*outputs, logged]:
        assert HS_TOKEN not in text and private_body not in text
