"""End to end against the fake HubSpot portal through hubspot-api-client:
a cycle leaves every score property equal to what the core computes from the
stored JSON; the next cycle re-reads our own writes and writes none; a hand
edit is restored; the daily rescore needs no reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Connector
from connectors.hubspot.connector import build
from syncd.cli.status import connector_status
from syncd.core import account_scores, contact_from_json, score_batch, summary
from syncd.modelfile import load_model
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.server import SandboxServer
from syncd.settings import ConnectorConfig, HubSpotConnectorConfig, load_settings
from syncd.state import Store
from syncd.sync import Engine, run_cycle
from tests.kit.clock import ManualClock
from tests.kit.seed import MODEL

NAME = "hubspot-main"
TOKEN = "sandbox-token"


@pytest.fixture
def portal() -> Iterator[tuple[HubSpotSandbox, SandboxServer, ManualClock]]:
    clock = ManualClock()
    app = HubSpotSandbox(generate(11, 40, clock.utc()), clock=clock, sleep=clock.sleep, token=TOKEN)
    clock.advance(300)  # seeded changes past the safety lag: a full pull reads up to it
    server = SandboxServer(app).start()
    yield app, server, clock
    server.stop()


def _engine(
    tmp_path: Path, url: str, clock: ManualClock, state_url: str, model: Path = MODEL
) -> Engine:
    cfg = tmp_path / "syncd.yaml"
    cfg.write_text(
        f"""\
state: {{url: "{state_url}"}}
connectors:
  {NAME}:
    type: hubspot
    base_url: {url}
    access_token: ${{HS_TOKEN}}
    model: {model}
""",
        encoding="utf-8",
    )
    settings = load_settings(cfg, {"HS_TOKEN": TOKEN})

    def factory(name: str, c: ConnectorConfig) -> Connector:
        assert isinstance(c, HubSpotConnectorConfig)
        return build(name, c.connector_options(), clock=clock, sleep=clock.sleep)

    return Engine(settings, Store.open(state_url), factory, clock=clock.utc)


def _crm_fields(app: HubSpotSandbox) -> dict[str, tuple[Any, ...]]:
    out = {}
    for rec in app.store.live("contacts"):
        p = rec.properties
        out[rec.id] = (
            p.get("syncd_score"),
            p.get("syncd_tier"),
            p.get("syncd_reasons"),
            p.get("syncd_priority"),
        )
    return out


def _core(engine: Engine, as_of: Any) -> dict[str, tuple[Any, ...]]:
    contacts = [contact_from_json(o) for o in engine.store.export(NAME)]
    return {
        r.id: (str(r.score), r.tier, summary(r), "true" if r.priority else "false")
        for r in score_batch(load_model(MODEL), contacts, as_of)
    }


def _company_scores(app: HubSpotSandbox) -> dict[str, int]:
    return {
        rec.id: int(rec.properties["syncd_account_score"])
        for rec in app.store.live("companies")
        if rec.properties.get("syncd_account_score") not in (None, "")
    }


def _core_accounts(engine: Engine, as_of: Any) -> dict[str, int]:
    contacts = [contact_from_json(o) for o in engine.store.export(NAME)]
    results = score_batch(load_model(MODEL), contacts, as_of)
    return {
        a.key[3:]: a.score
        for a in account_scores(load_model(MODEL), results)
        if a.key.startswith("id:")
    }


def test_hubspot_cycle_end_to_end(
    tmp_path: Path, state_url: str, portal: tuple[HubSpotSandbox, SandboxServer, ManualClock]
) -> None:
    app, server, clock = portal
    engine = _engine(tmp_path, server.url, clock, state_url)
    try:
        r1 = run_cycle(engine, NAME)
        assert r1.status == "ok", r1.error
        assert r1.written > 0 and r1.pending == 0
        assert _crm_fields(app) == _core(engine, r1.started_at)
        assert r1.accounts_written > 0 and r1.accounts_pending == 0
        assert _company_scores(app) == _core_accounts(engine, r1.started_at)

        clock.advance(900)
        r2 = run_cycle(engine, NAME)
        assert r2.status == "ok", r2.error
        assert r2.pulled > 0 and r2.written == 0, r2  # our own writes re-read, none rewritten
        assert r2.accounts_written == 0

        victim = next(iter(_crm_fields(app)))
        right = _crm_fields(app)[victim]
        app.store.update("contacts", victim, {"syncd_score": "1", "syncd_tier": "hot"})
        clock.advance(900)
        r3 = run_cycle(engine, NAME)
        assert r3.status == "ok", r3.error
        assert r3.drift_repaired == 1 and r3.written == 1
        assert _crm_fields(app)[victim] == right

        clock.advance(900)
        app.log.reset()
        r4 = run_cycle(engine, NAME, rescore_only=True)
        assert r4.status == "ok" and r4.scored == len(right and _crm_fields(app))
        reads = [k for k, n in r4.api_calls.items() if n and k != "write"]
        assert reads == [], r4.api_calls
        assert TOKEN not in json.dumps(r4.to_json())
    finally:
        engine.close()


def test_hubspot_budget_writes_tier_changes_first(
    tmp_path: Path, portal: tuple[HubSpotSandbox, SandboxServer, ManualClock]
) -> None:
    app, server, clock = portal
    engine = _engine(tmp_path, server.url, clock, f"sqlite:///{tmp_path / 's.db'}")
    try:
        assert run_cycle(engine, NAME, dry_run=True).status == "ok"
        assert all(v[0] is None for v in _crm_fields(app).values())
        engine.settings.connectors[NAME].max_writes_per_cycle = 3
        r = run_cycle(engine, NAME)
        assert r.written == 3 and r.pending > 0
        written = [cid for cid, v in _crm_fields(app).items() if v[0] is not None]
        core = _core(engine, r.started_at)
        mqls = [cid for cid, v in core.items() if v[1] in ("mql", "hot")]
        assert len(mqls) >= 3  # the dataset has enough; otherwise the test proves nothing
        # never written before: every write changes a tier; the MQL crossings go first
        assert set(written) <= set(mqls), (written, mqls)
        engine.settings.connectors[NAME].max_writes_per_cycle = None
        clock.advance(900)
        r = run_cycle(engine, NAME)
        assert r.status == "ok" and r.pending == 0
    finally:
        engine.close()


def test_hubspot_rejected_writes_are_retried_then_dead_lettered(
    tmp_path: Path, portal: tuple[HubSpotSandbox, SandboxServer, ManualClock]
) -> None:
    """The portal refuses every contact update (207 with errors[]), every cycle,
    until they are dead-lettered."""
    app, server, clock = portal
    app.faults.update(partial_rate=1.0)
    engine = _engine(tmp_path, server.url, clock, f"sqlite:///{tmp_path / 's.db'}")
    try:
        r = run_cycle(engine, NAME)
        assert r.status == "ok", r.error
        refused = r.write_failures  # contacts and accounts
        assert r.pending > 0 and refused == r.pending + r.accounts_pending and r.written == 0
        for _ in range(3):
            clock.advance(900)
            r = run_cycle(engine, NAME)
            assert r.write_failures == refused and r.dead_letters == 0 and r.written == 0
        clock.advance(900)
        r = run_cycle(engine, NAME)
        assert r.dead_letters == refused and r.pending == 0 and r.accounts_pending == 0
        dead = engine.store.dead_letters(NAME, limit=1000)
        assert 0 < len(dead) <= refused  # contacts (accounts are kept apart)
        assert all(a == 5 and "partial failure" in e for _i, a, e in dead), dead
        shown = connector_status(engine, NAME)
        assert shown["dead_letters"] == len(dead) and shown["dead_letter_samples"]
        app.faults.update(partial_rate=0.0)
        clock.advance(900)
        assert run_cycle(engine, NAME).write_failures == 0  # dead letters wait for --retry-dead
    finally:
        engine.close()


def test_the_daemons_cycle_writes_batches_concurrently(
    tmp_path: Path, state_url: str, portal: tuple[HubSpotSandbox, SandboxServer, ManualClock]
) -> None:
    """The connector owns write batching: under ``run_cycle`` its batches (contacts,
    then companies) are in flight at the same time, within its pacing. Each batch
    update waits (at most 5 s) until a second one arrives: sequential writes would
    show one at a time."""
    import threading

    app, server, clock = portal
    engine = _engine(tmp_path, server.url, clock, state_url)
    lock = threading.Lock()
    state = {"inflight": 0, "most": 0}
    second = threading.Event()
    handle = app.handle

    def gauged(request: Any) -> Any:
        if not (request.method == "POST" and "/batch/update" in request.path):
            return handle(request)
        with lock:
            state["inflight"] += 1
            state["most"] = max(state["most"], state["inflight"])
            if state["inflight"] >= 2:
                second.set()
        second.wait(timeout=5)
        try:
            return handle(request)
        finally:
            with lock:
                state["inflight"] -= 1

    app.handle = gauged  # type: ignore[method-assign]
    try:
        report = run_cycle(engine, NAME)
        assert report.status == "ok", report.error
        assert report.written > 0 and report.accounts_written > 0
        assert state["most"] >= 2
    finally:
        engine.close()
