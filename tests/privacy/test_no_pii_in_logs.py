"""No personal data in logs or metrics: an e2e run (`syncd setup`, then three
cycles of each connector) against both sandboxes, logging at DEBUG in the JSON form the
daemon writes, and the /metrics text of its cycles carry none of the
sandboxes' names, e-mail addresses or titles."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.cli import main
from syncd.cli.wiring import build_connector
from syncd.daemon.logs import JsonFormatter, Redactor
from syncd.daemon.metrics import DaemonMetrics
from syncd.sandbox.generator import Dataset, generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.settings import load_settings
from syncd.sync import Engine, run_cycle, utc_now
from tests.e2e.test_e2e_salesforce import CONSUMER_KEY, keys  # noqa: F401 (fixture)
from tests.kit.seed import MODEL

HS_TOKEN = "pat-na1-e2e-secret-token"


@pytest.fixture
def sandboxes(keys: tuple[str, str]) -> Iterator[tuple[str, str, list[Dataset]]]:  # noqa: F811
    past = utc_now().replace(microsecond=0)
    hs_data, sf_data = generate(5, 40, past), generate(6, 40, past)
    hs = HubSpotSandbox(hs_data, token=HS_TOKEN, rate_limits=False, search_lag_s=0.0)
    sf = SalesforceSandbox(sf_data, sleep=lambda s: None)
    sf.register_connected_app(CONSUMER_KEY, keys[1])
    with SandboxServer(hs) as h, SandboxServer(sf) as s:
        yield h.url, s.url, [hs_data, sf_data]


def _personal(data: list[Dataset]) -> set[str]:
    """Every full name, e-mail address (and its local part), title and phone
    number of the sandboxes' people (a lone first name such as "Grace" is also
    an English word of a metric's help text)."""
    out: set[str] = set()
    for d in data:
        for c in d.contacts:
            local = c.email.split("@", 1)[0]
            out.update({f"{c.first_name} {c.last_name}", c.email, local, c.title, c.phone})
    return {v for v in out if v and len(v) >= 4}


def test_logs_and_metrics_of_an_e2e_run_hold_no_personal_data(
    tmp_path: Path,
    sandboxes: tuple[str, str, list[Dataset]],
    keys: tuple[str, str],  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    hs_url, sf_url, data = sandboxes
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
    safety_lag: PT0S
  salesforce-prod:
    type: salesforce
    instance_url: {sf_url}
    login_url: {sf_url}
    auth: {{flow: jwt, username: integration@syncd.example, consumer_key: {CONSUMER_KEY},
            private_key: "${{SF_KEY}}"}}
    model: {MODEL}
    bulk_poll: 0s
""",
        encoding="utf-8",
    )
    env = {"HUBSPOT_TOKEN": HS_TOKEN, "SF_KEY": keys[0]}
    runner = CliRunner()
    outputs = []
    for name in ("hubspot-main", "salesforce-prod"):
        r = runner.invoke(main, ["setup", "--connector", name, "--config", str(cfg)], env=env)
        assert r.exit_code == 0, r.output
        outputs.append(r.output)
    # the engine `syncd run` drives, logging at DEBUG, and the daemon's metrics
    caplog.set_level(logging.DEBUG)
    settings = load_settings(cfg, env)
    app = Engine.open(settings, build_connector)
    metrics = DaemonMetrics(settings.connectors)
    try:
        for full in (False, False, True):
            for name in settings.connectors:
                report = run_cycle(app, name, full=full)
                assert report.status == "ok", report.error
                metrics.record_cycle(report)
    finally:
        app.close()
    fmt = JsonFormatter(Redactor([]))
    lines = [fmt.format(r) for r in caplog.records]
    events = {r.__dict__.get("event") for r in caplog.records}
    assert {"page_committed", "cycle_finished"} <= events, sorted(map(str, events))
    text = "\n".join([*lines, *outputs, metrics.exposition().decode()]).casefold()
    leaked = sorted(v for v in _personal(data) if v.casefold() in text)
    where = [text[max(0, text.find(v.casefold()) - 80) :][:160] for v in leaked]
    assert not leaked, where[:5]
