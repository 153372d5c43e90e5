"""Segments end to end on both fake CRMs: contacts from three countries are
routed to three models (the shipped per-market example: Turkey, DACH, the
default), the reasons written to the CRM name each contact's model, and a
dry run after a routing change shows the contacts that would move."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from connectors.base import Connector
from connectors.hubspot.connector import build as build_hubspot
from connectors.salesforce.connector import build as build_salesforce
from syncd.cli import main
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.settings import ConnectorConfig, load_settings
from syncd.state import Store
from syncd.sync import Engine, run_cycle
from tests.e2e import test_e2e_salesforce as sf
from tests.e2e.test_e2e_hubspot import TOKEN, portal  # noqa: F401 (fixture)
from tests.e2e.test_e2e_salesforce import keys, org  # noqa: F401 (fixtures)
from tests.kit.clock import ManualClock

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "segments"
MODELS = {"TR": "turkey", "DE": "dach", "US": "default"}


def _routes(dach: str = "[DE, AT, CH]") -> str:
    return f"""\
    models:
      - when: {{country: [TR, GR, CY]}}
        model: {EXAMPLE / "turkey.yaml"}
      - when: {{country: {dach}}}
        model: {EXAMPLE / "dach.yaml"}
      - model: default
"""


def _engine(
    tmp_path: Path, head: str, env: dict[str, str], factory: Callable[..., Connector], clock: Any
) -> Engine:
    cfg = tmp_path / "syncd.yaml"
    cfg.write_text(head + _routes(), encoding="utf-8")
    settings = load_settings(cfg, env)
    return Engine(settings, Store.open(settings.state.url), factory, clock=clock)


def _reroute(engine: Engine, tmp_path: Path, env: dict[str, str]) -> None:
    """DE leaves the DACH route (its contacts fall to the default model)."""
    cfg = tmp_path / "syncd.yaml"
    text = cfg.read_text(encoding="utf-8").replace("[DE, AT, CH]", "[AT, CH]")
    cfg.write_text(text, encoding="utf-8")
    engine.settings = load_settings(cfg, env)


def _check(
    engine: Engine, name: str, reasons: dict[str, str], tmp_path: Path, env: dict[str, str]
) -> None:
    """Every stored contact of the three countries carries its model's name in
    the CRM's reasons; a routing change is a rescore of everything whose dry
    run shows the DE contacts moving (and writes nothing)."""
    countries = {
        o["id"]: (o.get("properties") or {}).get("country") for o in engine.store.export(name)
    }
    seen: dict[str, set[str]] = {}
    for cid, country in countries.items():
        if country in MODELS and cid in reasons:
            model = reasons[cid].split(";", 1)[0].removeprefix("model: ").split("@")[0]
            seen.setdefault(country, set()).add(model)
    assert seen == {c: {m} for c, m in MODELS.items()}, seen
    de = {cid for cid, c in countries.items() if c == "DE" and cid in reasons}

    _reroute(engine, tmp_path, env)
    dry = run_cycle(engine, name, dry_run=True)
    assert dry.status == "ok" and dry.rescored_all and dry.dry_run is not None, dry.error
    moved = {
        cid for cid, _old, new in dry.dry_run.samples if new.reasons.startswith("model: default@")
    }
    assert de <= moved and dry.dry_run.would_write >= len(de)
    assert sum(dry.dry_run.transitions.values()) == dry.scored
    assert dry.written == 0


def _report_by_segment(tmp_path: Path, env: dict[str, str], scored: int) -> None:
    """`syncd report` breaks the connector's contacts down by model."""
    cfg = str(tmp_path / "syncd.yaml")
    out = CliRunner().invoke(main, ["report", "--json", "--config", cfg], env=env)
    assert out.exit_code == 0, out.output
    segments = json.loads(out.output)["connectors"][0]["segments"]
    assert {s["model"].split("@")[0] for s in segments} == {"turkey", "dach", "default"}
    assert sum(s["contacts"] for s in segments) == scored
    assert all(sum(s["tiers"].values()) == s["contacts"] for s in segments)
    text = CliRunner().invoke(main, ["report", "--config", cfg], env=env, terminal_width=160)
    assert "hs: segments (contacts by model)" in text.output
    assert all(s["model"] in text.output for s in segments)


def test_hubspot_routes_three_countries_to_three_models(
    tmp_path: Path,
    portal: tuple[HubSpotSandbox, SandboxServer, ManualClock],  # noqa: F811
) -> None:
    app, server, clock = portal
    head = f"""\
state: {{url: "sqlite:///{tmp_path / "s.db"}"}}
connectors:
  hs:
    type: hubspot
    base_url: {server.url}
    access_token: ${{HS_TOKEN}}
"""

    def factory(name: str, c: ConnectorConfig) -> Connector:
        return build_hubspot(name, c.connector_options(), clock=clock, sleep=clock.sleep)

    engine = _engine(tmp_path, head, {"HS_TOKEN": TOKEN}, factory, clock.utc)
    try:
        r1 = run_cycle(engine, "hs")
        assert r1.status == "ok" and r1.written > 0, r1.error
        reasons = {
            rec.id: rec.properties["syncd_reasons"]
            for rec in app.store.live("contacts")
            if rec.properties.get("syncd_reasons")
        }
        _report_by_segment(tmp_path, {"HS_TOKEN": TOKEN}, r1.scored)
        _check(engine, "hs", reasons, tmp_path, {"HS_TOKEN": TOKEN})
    finally:
        engine.close()


def test_salesforce_routes_three_countries_to_three_models(
    tmp_path: Path,
    keys: tuple[str, str],  # noqa: F811
    org: tuple[SalesforceSandbox, SandboxServer, sf.Clock],  # noqa: F811
) -> None:
    app, server, clock = org
    head = f"""\
state: {{url: "sqlite:///{tmp_path / "s.db"}"}}
connectors:
  sf:
    type: salesforce
    instance_url: {server.url}
    login_url: {server.url}
    auth: {{flow: jwt, username: integration@syncd.example, consumer_key: {sf.CONSUMER_KEY},
            private_key: "${{SF_KEY}}"}}
    bulk_poll: 0s
"""

    def factory(name: str, c: ConnectorConfig) -> Connector:
        return build_salesforce(name, c.connector_options(), clock=clock, sleep=lambda s: None)

    engine = _engine(tmp_path, head, {"SF_KEY": keys[0]}, factory, clock.utc)
    try:
        conn = engine.connector("sf")
        assert conn.ensure_fields(create=True, tiers=engine.router("sf").tier_names).ok
        clock.now += 60
        r1 = run_cycle(engine, "sf")
        assert r1.status == "ok" and r1.written > 0, r1.error
        reasons: dict[str, str] = {}
        for obj in ("Lead", "Contact"):
            for rec in app.store.records(obj):
                if rec.get("Syncd_Reasons__c"):
                    reasons[rec["Id"]] = rec["Syncd_Reasons__c"]
        _check(engine, "sf", reasons, tmp_path, {"SF_KEY": keys[0]})
    finally:
        engine.close()
