"""`syncd validate-model --config`: the rules on page views that lose fidelity on the
HubSpot portals using the model, from the plan each portal's last cycle remembered;
no CRM call (the fake portal's request log stays empty)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syncd.cli import main
from syncd.modelfile import load_model
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer
from syncd.sync import run_cycle
from tests.e2e import test_e2e_hubspot as hs
from tests.kit.clock import ManualClock
from tests.kit.seed import MODEL

#: The default model's rules on page_view (rules, then disqualifiers).
RULES = ("pricing_page", "demo_click", "careers_page")
OK = f"{MODEL}: ok ({load_model(MODEL).ref})\n"
ENV = {"HS_TOKEN": hs.TOKEN, "SYNCD_CONFIG": ""}


def _warning(rule: str) -> str:
    return (
        f"warning: connector {hs.NAME}: rule {rule} reads page views, but this portal's "
        "HubSpot plan has no web-analytics events API (Enterprise only; probed 2026-09-21 "
        "14:13 UTC): the rule sees only each contact's last-visited URL and its time "
        "(hs_analytics_last_url, hs_analytics_last_timestamp), not every page view"
    )


UNKNOWN = (
    f"note: connector {hs.NAME}: its HubSpot plan is not known yet (no cycle has probed it); "
    "rules on page_view (pricing_page, demo_click, careers_page) see every page view on "
    "Enterprise portals only: `syncd check` probes the plan now, and validate-model knows "
    "it after the next cycle"
)


@pytest.fixture
def portal() -> Iterator[tuple[HubSpotSandbox, SandboxServer]]:
    clock = ManualClock()
    app = HubSpotSandbox(
        generate(3, 12, clock.utc()), clock=clock, sleep=clock.sleep, token=hs.TOKEN
    )
    with SandboxServer(app) as server:
        yield app, server


def _validate(config: Path | None, model: Path = MODEL) -> Result:
    args = ["validate-model", str(model)] + (["--config", str(config)] if config else [])
    return CliRunner().invoke(main, args, env=ENV)


def _cycle(tmp_path: Path, app: HubSpotSandbox, server: SandboxServer, plan: str) -> Path:
    """One full cycle against a portal on ``plan``; the config file it used."""
    app.plan = plan  # type: ignore[assignment]  # one of the fake's plans
    clock = app.clock
    assert isinstance(clock, ManualClock)
    engine = hs._engine(tmp_path, server.url, clock, f"sqlite:///{tmp_path / 'state.db'}")
    try:
        assert run_cycle(engine, hs.NAME).status == "ok"
    finally:
        engine.close()
    app.log.reset()
    return tmp_path / "syncd.yaml"


def test_professional_portal_names_each_rule_that_loses_page_views(
    tmp_path: Path, portal: tuple[HubSpotSandbox, SandboxServer]
) -> None:
    app, server = portal
    config = _cycle(tmp_path, app, server, "professional")
    result = _validate(config)
    assert result.exit_code == 0, result.output
    assert result.stdout == OK
    assert result.stderr.splitlines() == [_warning(rule) for rule in RULES]
    assert app.log.count() == 0  # offline: the plan came from the state store


def test_enterprise_portal_gets_no_warning(
    tmp_path: Path, portal: tuple[HubSpotSandbox, SandboxServer]
) -> None:
    app, server = portal
    config = _cycle(tmp_path, app, server, "enterprise")
    result = _validate(config)
    assert result.exit_code == 0, result.output
    assert result.stdout == OK and result.stderr == ""
    assert app.log.count() == 0


def test_plan_never_probed_is_unknown_and_points_at_check(
    tmp_path: Path, portal: tuple[HubSpotSandbox, SandboxServer]
) -> None:
    app, server = portal
    config = tmp_path / "syncd.yaml"
    config.write_text(
        f"""\
state: {{url: "sqlite:///{tmp_path / "state.db"}"}}
connectors:
  {hs.NAME}:
    type: hubspot
    base_url: {server.url}
    access_token: ${{HS_TOKEN}}
    model: {MODEL}
""",
        encoding="utf-8",
    )
    result = _validate(config)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [UNKNOWN]
    assert not (tmp_path / "state.db").exists()  # nothing created
    assert app.log.count() == 0


def test_a_state_store_that_cannot_be_opened_is_a_note(
    tmp_path: Path, portal: tuple[HubSpotSandbox, SandboxServer]
) -> None:
    app, server = portal
    config = _cycle(tmp_path, app, server, "professional")
    (tmp_path / "state.db").write_bytes(b"not a database, " * 256)
    result = _validate(config)
    assert result.exit_code == 0 and result.stdout == OK
    assert result.stderr == (
        "note: HubSpot plans not checked: the state store cannot be opened "
        "(DatabaseError: (sqlite3.DatabaseError) file is not a database)\n"
    )
    assert app.log.count() == 0


def test_without_a_config_or_with_another_model_nothing_is_said_about_plans(
    tmp_path: Path, portal: tuple[HubSpotSandbox, SandboxServer]
) -> None:
    app, server = portal
    config = _cycle(tmp_path, app, server, "professional")
    alone = _validate(None)
    assert alone.exit_code == 0 and alone.stderr == ""
    other = MODEL.parent / "b2c-auto-dealer.yaml"  # page_view rules, no connector uses it
    unused = _validate(config, other)
    assert unused.exit_code == 0 and unused.stderr == ""
    broken = tmp_path / "broken.yaml"
    broken.write_text("connectors: [", encoding="utf-8")
    note = _validate(broken)
    assert note.exit_code == 0
    assert note.stderr == (
        f"note: HubSpot plans not checked: {broken} is not usable (see `syncd validate`)\n"
    )
