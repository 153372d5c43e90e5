"""End to end, the predictive model in the daemon: a first cycle scores a
fake CRM, outcomes that depend on the data are planted in the state store
(the best-scored two fifths reach an opportunity, the rest are lost),
`syncd learn --connector` trains a model from them, the connector is
configured with it (`predictive: {model: PATH}`) and the next cycle writes
every writable contact's conversion probability to its own field, with a
"predicted conversion N%" part in the reasons text; a further cycle with
nothing changed sends no write request at all (the fakes' request logs).
With ``retrain`` set, the first cycle retrains the model from the store and
the next one within ``every`` does not.
On the HubSpot fake and on the Salesforce fake."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from connectors.base import Connector, OutcomeRecord, Page
from connectors.hubspot.connector import build as build_hubspot
from syncd.cli import main
from syncd.core import parse_datetime
from syncd.core.reasons_text import parse_reasons
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer
from syncd.settings import ConnectorConfig, HubSpotConnectorConfig, load_settings
from syncd.state import Store
from syncd.sync import Engine, run_cycle
from tests.e2e.test_e2e_no_rewrite import HS_NAME, TOKEN, _writes
from tests.e2e.test_e2e_salesforce import NAME as SF_NAME
from tests.e2e.test_e2e_salesforce import Clock
from tests.e2e.test_e2e_salesforce import _engine as salesforce_engine
from tests.e2e.test_e2e_salesforce import keys as keys  # the module-scoped RSA key pair
from tests.kit.clock import ManualClock
from tests.kit.seed import MODEL

CONTACTS = 150


def _plant_outcomes(engine: Engine, name: str, now: datetime) -> int:
    """Outcomes from the first cycle's scores: the top two fifths convert
    (an opportunity between arrival and now, within the outcome window), the
    others are lost. Returns how many converted."""
    ranked = []
    for obj in engine.store.export(name):
        sc = engine.store.contact(name, obj["id"])
        assert sc is not None and sc.desired is not None
        ranked.append((-sc.desired.score, sc.id, parse_datetime(obj.get("created_at"))))
    ranked.sort()
    top = len(ranked) * 2 // 5
    outcomes = []
    for i, (_, cid, created) in enumerate(ranked):
        start = created if created is not None else now - timedelta(days=60)
        at = start + min((now - start) / 2, timedelta(days=30))
        kind = "opportunity" if i < top else "lost"
        outcomes.append(OutcomeRecord(cid, f"deal:{cid}:{kind}", kind, at))
    engine.store.commit_page(name, Page(outcomes=outcomes), now)
    return top


def _learn(config: Path, name: str, out: Path, env: dict[str, str]) -> None:
    args = ["learn", "--connector", name, "--config", str(config), "--out", str(out)]
    r = CliRunner(env=env).invoke(main, args)
    assert r.exit_code == 0, r.output
    assert out.is_file()


def _hubspot_engine(
    tmp_path: Path, url: str, clock: ManualClock, state_url: str, extra: str = ""
) -> Engine:
    cfg = tmp_path / "syncd.yaml"
    cfg.write_text(
        f"""\
state: {{url: "{state_url}"}}
connectors:
  {HS_NAME}:
    type: hubspot
    base_url: {url}
    access_token: ${{HS_TOKEN}}
    model: {MODEL}
{extra}""",
        encoding="utf-8",
    )
    settings = load_settings(cfg, {"HS_TOKEN": TOKEN})

    def factory(name: str, c: ConnectorConfig) -> Connector:
        assert isinstance(c, HubSpotConnectorConfig)
        return build_hubspot(name, c.connector_options(), clock=clock, sleep=clock.sleep)

    return Engine(settings, Store.open(state_url), factory, clock=clock.utc)


def _predictive(model: Path) -> str:
    return f"    predictive: {{model: {model}}}\n"


def _check_written(engine: Engine, name: str, crm: Callable[[str, str], tuple[Any, Any]]) -> int:
    """Every writable stored contact's CRM copy holds the probability syncd
    computed, and its reasons text shows it; returns how many were checked."""
    checked = 0
    for obj in engine.store.export(name):
        sc = engine.store.contact(name, obj["id"])
        assert sc is not None and sc.desired is not None
        if not sc.writable:
            continue
        p = sc.desired.probability
        assert p is not None and 0.0 <= p <= 1.0
        probability, reasons = crm(sc.kind, sc.id)
        assert probability is not None and abs(float(probability) - p) < 1e-9, sc.id
        parsed = parse_reasons(reasons)
        assert parsed is not None and parsed.percent == round(p * 100), reasons
        assert reasons.endswith(f" | predicted conversion {round(p * 100)}%")
        checked += 1
    return checked


def test_hubspot_writes_the_learned_probability_and_then_nothing(
    tmp_path: Path, state_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()
    app = HubSpotSandbox(
        generate(21, CONTACTS, clock.utc()), clock=clock, sleep=clock.sleep, token=TOKEN
    )
    with SandboxServer(app) as server:
        engine = _hubspot_engine(tmp_path, server.url, clock, state_url)
        try:
            clock.advance(150)
            r = run_cycle(engine, HS_NAME)
            assert r.status == "ok", r.error
            assert _plant_outcomes(engine, HS_NAME, clock.utc()) >= 20
        finally:
            engine.close()
        config, model = tmp_path / "syncd.yaml", tmp_path / "conversion.json"
        _learn(config, HS_NAME, model, {"HS_TOKEN": TOKEN})
        engine = _hubspot_engine(tmp_path, server.url, clock, state_url, _predictive(model))
        try:
            clock.advance(60)
            r = run_cycle(engine, HS_NAME)
            assert r.status == "ok", r.error
            assert r.rescored_all and r.written > 0

            def crm(kind: str, cid: str) -> tuple[Any, Any]:
                rec = app.store.get("contacts", cid)
                assert rec is not None
                props = rec.properties
                return props.get("syncd_conversion_probability"), props.get("syncd_reasons")

            assert _check_written(engine, HS_NAME, crm) == CONTACTS
            clock.advance(1)
            app.log.reset()
            r = run_cycle(engine, HS_NAME)
            assert r.status == "ok", r.error
            assert _writes(app.log.requests()) == [], r
            assert r.written == 0 and r.pending == 0
        finally:
            engine.close()

        # opt-in retraining: the first cycle with it retrains, the next ones wait `every`
        before = model.read_bytes()
        retrain = _predictive(model).replace("}", ", retrain: {every: 1d}}")
        engine = _hubspot_engine(tmp_path, server.url, clock, state_url, retrain)
        try:
            with caplog.at_level(logging.INFO, logger="syncd.sync"):
                clock.advance(60)
                r = run_cycle(engine, HS_NAME)
                assert r.status == "ok", r.error
                events = _events(caplog)
                assert len(events) == 1 and events[0] in ("predictive_retrained", "predictive_kept")
                assert (model.read_bytes() != before) == (events[0] == "predictive_retrained")
                assert r.rescored_all == (events[0] == "predictive_retrained")
                verdict = engine.store.meta(HS_NAME).retrain or {}
                assert verdict["verdict"] == events[0].removeprefix("predictive_")
                assert isinstance(verdict["new_auc"], float), verdict
                assert _check_written(engine, HS_NAME, crm) == CONTACTS
                caplog.clear()
                clock.advance(3600)
                r = run_cycle(engine, HS_NAME)
                assert r.status == "ok", r.error
                assert _events(caplog) == [] and not r.rescored_all
        finally:
            engine.close()


def _events(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        str(getattr(rec, "event", ""))
        for rec in caplog.records
        if str(getattr(rec, "event", "")).startswith("predictive_")
    ]


def test_salesforce_writes_the_learned_probability_and_then_nothing(
    tmp_path: Path, state_url: str, keys: tuple[str, str]
) -> None:
    from syncd.sandbox.salesforce import SalesforceSandbox

    clock = Clock()
    app = SalesforceSandbox(generate(23, CONTACTS, clock.utc()), clock=clock, sleep=lambda s: None)
    app.register_connected_app("syncd-e2e", keys[1])
    with SandboxServer(app) as server:
        engine = salesforce_engine(tmp_path, server.url, clock, keys[0], state_url)
        try:
            assert engine.connector(SF_NAME).ensure_fields(create=True).ok
            clock.now += 60
            r = run_cycle(engine, SF_NAME)
            assert r.status == "ok", r.error
            assert _plant_outcomes(engine, SF_NAME, clock.utc()) >= 20
        finally:
            engine.close()
        config, model = tmp_path / "syncd.yaml", tmp_path / "conversion.json"
        _learn(config, SF_NAME, model, {"SF_KEY": keys[0]})
        engine = salesforce_engine(
            tmp_path, server.url, clock, keys[0], state_url, _predictive(model)
        )
        try:
            # Salesforce fields are made by `syncd setup` (a cycle only verifies them)
            assert engine.connector(SF_NAME).ensure_fields(create=True).ok
            clock.now += 60
            r = run_cycle(engine, SF_NAME)
            assert r.status == "ok", r.error
            assert r.rescored_all and r.written > 0

            def crm(kind: str, cid: str) -> tuple[Any, Any]:
                rec = app.store.get("Lead" if kind == "lead" else "Contact", cid)
                assert rec is not None
                return rec.get("Syncd_Conversion_Probability__c"), rec.get("Syncd_Reasons__c")

            assert _check_written(engine, SF_NAME, crm) > 0
            clock.now += 1
            app.log.reset()
            r = run_cycle(engine, SF_NAME)
            assert r.status == "ok", r.error
            assert _writes(app.log.requests()) == [], r
            assert r.written == 0 and r.pending == 0
        finally:
            engine.close()
