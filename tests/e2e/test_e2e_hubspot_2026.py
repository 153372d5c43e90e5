"""End to end on HubSpot's dated API with a service key: a full and an incremental cycle
after every legacy sunset (the fake refuses every legacy path) score every contact and
call nothing legacy; a portal validation rule's refusal is dead-lettered at once and
shown with its message by ``syncd status``, while the rest of its batch lands."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from connectors.base import Connector
from connectors.hubspot.connector import build
from syncd.cli import main
from syncd.core import contact_from_json, score_batch
from syncd.modelfile import load_model
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.versions import ValidationRule, is_legacy
from syncd.sandbox.server import SandboxServer
from syncd.settings import ConnectorConfig, HubSpotConnectorConfig, load_settings
from syncd.state import Store
from syncd.sync import Engine, run_cycle
from tests.kit.clock import ManualClock
from tests.kit.seed import MODEL

NAME = "hubspot-main"
KEY = "svc-key-sandbox-0001"
#: 2027-10-01: every legacy HubSpot API is past its sunset.
AFTER_SUNSET = datetime(2027, 10, 1, tzinfo=UTC).timestamp()
Portal = tuple[HubSpotSandbox, SandboxServer, ManualClock]


@pytest.fixture
def portal() -> Iterator[Portal]:
    clock = ManualClock(AFTER_SUNSET)
    app = HubSpotSandbox(generate(11, 40, clock.utc()), clock=clock, sleep=clock.sleep, token=KEY)
    app.sunsets.mark()  # every legacy path answers 410
    clock.advance(300)  # seeded changes past the safety lag: a full pull reads up to it
    server = SandboxServer(app).start()
    yield app, server, clock
    server.stop()


def _config(tmp_path: Path, url: str, state_url: str) -> Path:
    cfg = tmp_path / "syncd.yaml"
    cfg.write_text(
        f"""\
state: {{url: "{state_url}"}}
connectors:
  {NAME}:
    type: hubspot
    base_url: {url}
    api_version: "2026-09"
    service_key: ${{HS_SERVICE_KEY}}
    model: {MODEL}
""",
        encoding="utf-8",
    )
    return cfg


def _factory(clock: ManualClock) -> Any:
    def factory(name: str, c: ConnectorConfig) -> Connector:
        assert isinstance(c, HubSpotConnectorConfig)
        return build(name, c.connector_options(), clock=clock, sleep=clock.sleep)

    return factory


def _engine(cfg: Path, clock: ManualClock, state_url: str) -> Engine:
    settings = load_settings(cfg, {"HS_SERVICE_KEY": KEY})
    return Engine(settings, Store.open(state_url), _factory(clock), clock=clock.utc)


def _cli(cfg: Path, clock: ManualClock, *args: str) -> Any:
    return CliRunner().invoke(
        main,
        [*args, "--config", str(cfg)],
        obj={"factory": _factory(clock), "clock": clock.utc},
        env={"HS_SERVICE_KEY": KEY},
        catch_exceptions=False,
    )


def _core(engine: Engine, as_of: datetime) -> dict[str, tuple[str, str]]:
    contacts = [contact_from_json(o) for o in engine.store.export(NAME)]
    return {r.id: (str(r.score), r.tier) for r in score_batch(load_model(MODEL), contacts, as_of)}


def _crm(app: HubSpotSandbox) -> dict[str, tuple[Any, Any]]:
    return {
        r.id: (r.properties.get("syncd_score"), r.properties.get("syncd_tier"))
        for r in app.store.live("contacts")
    }


def test_dated_cycles_with_a_service_key_need_no_legacy_path(
    tmp_path: Path, state_url: str, portal: Portal
) -> None:
    app, server, clock = portal
    cfg = _config(tmp_path, server.url, state_url)
    assert _cli(cfg, clock, "setup", "--connector", NAME).exit_code == 0
    checked = _cli(cfg, clock, "check")
    assert checked.exit_code == 0, checked.output
    assert "API CRM objects" in checked.output and "warn" in checked.output
    assert KEY not in checked.output
    engine = _engine(cfg, clock, state_url)
    try:
        r1 = run_cycle(engine, NAME)
        assert r1.status == "ok", r1.error
        crm = _crm(app)
        assert crm == _core(engine, r1.started_at)
        assert len(crm) == 40 and all(score for score, _ in crm.values())
        clock.advance(900)
        victim = app.store.live("contacts")[0].id
        app.store.update("contacts", victim, {"jobtitle": "Chief Executive Officer"})
        clock.advance(900)
        r2 = run_cycle(engine, NAME)
        assert r2.status == "ok", r2.error
        assert r2.pulled > 0 and r2.scored > 0
        tiers = {cid: tier for cid, (_s, tier) in _core(engine, r2.started_at).items()}
        assert {cid: tier for cid, (_s, tier) in _crm(app).items()} == tiers
    finally:
        engine.close()
    called = {r.template for r in app.log.requests()}
    assert called and not [t for t in called if is_legacy(t)], called
    assert not [r for r in app.log.requests() if r.status == 410]


def test_validation_rule_refusal_is_dead_lettered_and_shown_by_status(
    tmp_path: Path, portal: Portal
) -> None:
    app, server, clock = portal
    app.sunsets.clear()
    message = "Scores ending in 7 need a manager's approval"
    app.validation_rules.append(
        ValidationRule("contacts", "syncd_score", lambda v: not v.endswith("7"), message)
    )
    cfg = _config(tmp_path, server.url, f"sqlite:///{tmp_path / 's.db'}")
    engine = _engine(cfg, clock, f"sqlite:///{tmp_path / 's.db'}")
    try:
        r = run_cycle(engine, NAME)
        assert r.status == "ok", r.error
        core = _core(engine, r.started_at)
        refused = {cid for cid, (score, _) in core.items() if score.endswith("7")}
        assert refused, "the dataset has no score ending in 7: the test proves nothing"
        assert r.dead_letters == len(refused)
        crm = _crm(app)
        assert {cid for cid, v in crm.items() if v[0] is None} == refused
        assert all(crm[cid] == core[cid] for cid in core if cid not in refused)
        dead = engine.store.dead_letters(NAME, limit=100)
        assert {i for i, _a, _e in dead} == refused
        assert all(a == 1 and message in e for _i, a, e in dead)
    finally:
        engine.close()
    shown = _cli(cfg, clock, "status")
    assert shown.exit_code == 0, shown.output
    assert "dead-lettered writes" in shown.output and "manager's approval" in shown.output


@pytest.mark.parametrize(
    ("base_url", "words"),
    [("api.hubapi.com", "scheme"), ("http://hubspot.example.com", "plain http")],
)
def test_validate_refuses_an_unsafe_base_url_in_one_line(
    tmp_path: Path, base_url: str, words: str
) -> None:
    cfg = _config(tmp_path, base_url, f"sqlite:///{tmp_path / 's.db'}")
    result = _cli(cfg, ManualClock(), "validate")
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if "base_url" in line]
    assert len(lines) == 1 and words in lines[0], result.output
    assert "Traceback" not in result.output
