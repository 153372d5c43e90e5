"""HubSpot portals on each plan, end to end: a Professional portal (the events API
answers 403) runs a full and an incremental cycle with every contact scored, its page
views taken from the contacts' last page seen, and `syncd check` / `syncd status` say
so; an Enterprise portal reads page views portal-wide (no ``objectId``), a handful of
calls rather than one per contact."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from connectors.hubspot.plan import NO_PAGE_VIEWS
from syncd.cli import main
from syncd.cli.status import connector_status
from syncd.cli.validate_model import fidelity_items
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer
from syncd.sync import Engine, run_cycle
from tests.e2e import test_e2e_hubspot as hs
from tests.kit.clock import ManualClock
from tests.kit.seed import MODEL

EVENTS = "GET /events/event-occurrences/2026-09"
URL = "https://example.com/pricing"


@pytest.fixture(params=["professional", "enterprise"])
def plan_portal(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[HubSpotSandbox, SandboxServer, ManualClock]]:
    clock = ManualClock()
    app = HubSpotSandbox(
        generate(11, 40, clock.utc()),
        clock=clock,
        sleep=clock.sleep,
        token=hs.TOKEN,
        plan=request.param,
    )
    clock.advance(300)  # seeded changes past the safety lag: a full pull reads up to it
    server = SandboxServer(app).start()
    yield app, server, clock
    server.stop()


def _scored(engine: Engine, app: HubSpotSandbox) -> None:
    """Every live contact carries the score the engine holds for it."""
    live = {r.id: r.properties.get("syncd_score") for r in app.store.live("contacts")}
    assert live and all(score not in (None, "") for score in live.values())
    assert {c["id"] for c in engine.store.export(hs.NAME)} >= set(live)


def _page_views(engine: Engine, contact_id: str) -> list[dict[str, object]]:
    for contact in engine.store.export(hs.NAME):
        if contact["id"] == contact_id:
            return [a for a in contact.get("activities", []) if a["type"] == "page_view"]
    raise AssertionError(f"contact {contact_id} not stored")


def test_each_plan_scores_every_contact_and_says_what_it_lacks(
    tmp_path: Path, plan_portal: tuple[HubSpotSandbox, SandboxServer, ManualClock]
) -> None:
    app, server, clock = plan_portal
    enterprise = app.plan == "enterprise"
    engine = hs._engine(tmp_path, server.url, clock, f"sqlite:///{tmp_path / 's.db'}")
    try:
        full = run_cycle(engine, hs.NAME)
        assert full.status == "ok", full.error
        _scored(engine, app)
        contacts = sorted(app.store.live("contacts"), key=lambda r: int(r.id))
        # portal-wide: a few pages for every contact's views; below Enterprise one 403
        assert app.log.count(EVENTS) <= (1 + 1 + 1 if enterprise else 1)
        assert app.log.count(EVENTS, status=403) == (0 if enterprise else 1)

        clock.advance(900)
        visitor = contacts[0].id
        app.store.add_page_view(visitor, int(clock() * 1000) - 600_000, URL)
        clock.advance(900)
        app.log.reset()
        incremental = run_cycle(engine, hs.NAME)
        assert incremental.status == "ok", incremental.error
        _scored(engine, app)
        assert app.log.count(EVENTS) == (1 if enterprise else 0)  # the plan is remembered
        views = [v for v in _page_views(engine, visitor) if v.get("url") == URL]
        assert len(views) == 1

        status = connector_status(engine, hs.NAME)
        assert status["notes"] == ([] if enterprise else [NO_PAGE_VIEWS])
        items = engine.connector(hs.NAME).check()
        page = next(i for i in items if i.name == "page views")
        assert page.ok and page.warning is (not enterprise)
        lost = fidelity_items(MODEL, items)
        assert bool(lost) is (not enterprise)
        if lost:
            assert "page_view" in lost[0].detail and lost[0].warning
    finally:
        engine.close()


def test_check_and_status_commands_name_the_missing_page_views(tmp_path: Path) -> None:
    clock = ManualClock()
    app = HubSpotSandbox(
        generate(3, 12, clock.utc()), token=hs.TOKEN, rate_limits=False, plan="starter"
    )
    with SandboxServer(app) as server:
        cfg = tmp_path / "syncd.yaml"
        cfg.write_text(
            f"""\
state: {{url: "sqlite:///{tmp_path / "state.db"}"}}
connectors:
  {hs.NAME}:
    type: hubspot
    base_url: {server.url}
    access_token: ${{HS_TOKEN}}
    model: {MODEL}
    safety_lag: PT0S
""",
            encoding="utf-8",
        )
        runner = CliRunner()
        env = {"HS_TOKEN": hs.TOKEN, "COLUMNS": "400"}

        def invoke(*args: str) -> tuple[int, str]:
            r = runner.invoke(main, [*args, "--config", str(cfg)], env=env)
            return int(r.exit_code), r.output

        code, out = invoke("setup", "--connector", hs.NAME)
        assert code == 0, out
        code, out = invoke("check")
        assert code == 0, out
        assert "not available on this portal (HubSpot Enterprise only)" in out
        assert "model fidelity" in out
        code, out = invoke("run", "--once")
        assert code == 0, out
        code, out = invoke("status", "--json")
        notes = json.loads(out)["connectors"][0]["notes"]
        assert notes == [NO_PAGE_VIEWS]
        code, out = invoke("status")
        assert code == 0 and "HubSpot Enterprise only" in out
