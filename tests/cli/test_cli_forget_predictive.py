"""`syncd forget --clear-crm-fields` on a connector with a predictive model
empties the conversion probability field too, on the fake HubSpot portal and
on the fake Salesforce org; without a predictive model a clear leaves that
field alone (it may not exist in the CRM)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from connectors.base import ContactUpdate
from connectors.hubspot.config import HubSpotFieldNames
from connectors.hubspot.mapping import contact_values
from connectors.salesforce.writes import values
from syncd.cli import main
from syncd.cli.demo_fakes import NAMES, TOKEN, Fake, SkipClock, config_text, connector_factory
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxApp, SandboxServer
from syncd.settings import SalesforceConnectorConfig, load_settings
from tests.kit.seed import MODEL
from tests.predictive.crafted import probability, write_model

INTERCEPT = -1.0
HS_FIELDS = ("syncd_score", "syncd_tier", "syncd_reasons", "syncd_conversion_probability")
SF_FIELDS = (
    "Syncd_Score__c",
    "Syncd_Tier__c",
    "Syncd_Reasons__c",
    "Syncd_Conversion_Probability__c",
)


def _fake(crm: str, clock: SkipClock) -> SandboxApp:
    data = generate(31, 40, datetime.now(UTC) - timedelta(minutes=10))
    if crm == "hubspot":
        return HubSpotSandbox(data, token=TOKEN, tier="pro", clock=clock, sleep=clock.sleep)
    return SalesforceSandbox(data, clock=clock, sleep=clock.sleep)


def _crm_fields(app: SandboxApp, kind: str, cid: str) -> list[Any]:
    if isinstance(app, HubSpotSandbox):
        rec = app.store.get("contacts", cid)
        assert rec is not None
        return [rec.properties.get(k) for k in HS_FIELDS]
    assert isinstance(app, SalesforceSandbox)
    row = app.store.get("Lead" if kind == "lead" else "Contact", cid)
    assert row is not None
    return [row.get(k) for k in SF_FIELDS]


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_forget_clears_the_probability_field_too(tmp_path: Path, crm: str) -> None:
    model = tmp_path / "conversion.json"
    write_model(model, intercept=INTERCEPT)
    clock = SkipClock()
    app = _fake(crm, clock)
    state, config = tmp_path / "state.db", tmp_path / "syncd.yaml"
    obj = {"factory": connector_factory(clock)}
    name = NAMES[crm]

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(main, [*args, "--config", str(config)], obj=obj)
        assert result.exit_code == 0, result.output
        return result.output

    with SandboxServer(app) as server:
        doc = yaml.safe_load(
            config_text(state, MODEL.resolve(), [Fake(crm, name, app, server.url)])
        )
        doc["connectors"][name]["predictive"] = {"model": str(model)}
        config.write_text(yaml.safe_dump(doc), encoding="utf-8")
        invoke("setup", "--connector", name)
        invoke("run", "--once")
        with sqlite3.connect(state) as db:
            cid, kind = db.execute(
                "SELECT id, kind FROM syncd_contact WHERE writable = 1 ORDER BY id LIMIT 1"
            ).fetchone()
        before = _crm_fields(app, kind, cid)
        assert all(v not in (None, "") for v in before), before
        assert float(before[-1]) == probability(INTERCEPT)

        out = invoke("forget", "--connector", name, "--id", cid, "--clear-crm-fields")
        assert f"{name}: syncd's CRM fields emptied on 1 record(s)" in out
        empty = "" if crm == "hubspot" else None
        assert _crm_fields(app, kind, cid) == [empty] * 4


def test_a_clear_names_the_probability_field_only_with_a_predictive_model(tmp_path: Path) -> None:
    clear = ContactUpdate("1", "lead", 0, "", "", False, datetime.now(UTC), clear=True)
    hs = HubSpotFieldNames()
    assert hs.probability in contact_values(clear, hs, probability=True)
    assert hs.probability not in contact_values(clear, hs)

    model = tmp_path / "conversion.json"
    write_model(model, intercept=INTERCEPT)
    for predictive, expected in ((f"predictive: {{model: {model}}}", True), ("", False)):
        path = tmp_path / "syncd.yaml"
        path.write_text(
            f"""\
connectors:
  sf:
    type: salesforce
    instance_url: http://127.0.0.1:9
    model: {MODEL}
    auth: {{flow: password, username: u, password: p, consumer_key: k, consumer_secret: s}}
    {predictive}
""",
            encoding="utf-8",
        )
        cfg = load_settings(path, {}).connectors["sf"]
        assert isinstance(cfg, SalesforceConnectorConfig)
        options = cfg.connector_options()
        mapped = values(clear, options)
        assert not isinstance(mapped, str)
        sobject, row = mapped
        assert sobject == "Lead" and row[options.fields.score] is None
        assert (options.fields.probability in row) is expected
