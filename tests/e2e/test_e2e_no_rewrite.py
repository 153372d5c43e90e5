"""End to end, back to back: a full cycle, then at once another and another.
Against the HubSpot fake with its search-index lag (the second cycle reads
the index before it has caught up with the first cycle's writes) and the
Salesforce fake, the second and third cycles send no write request at all
(the request log), and a hand edit made after syncd's write is still
restored."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from connectors.base import Connector
from connectors.hubspot.connector import build as build_hubspot
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.recorder import RecordedRequest
from syncd.sandbox.server import SandboxServer
from syncd.settings import ConnectorConfig, HubSpotConnectorConfig, load_settings
from syncd.state import Store
from syncd.sync import Engine, run_cycle
from tests.e2e.test_e2e_salesforce import NAME as SF_NAME
from tests.e2e.test_e2e_salesforce import Clock
from tests.e2e.test_e2e_salesforce import _engine as salesforce_engine
from tests.e2e.test_e2e_salesforce import keys as keys  # the module-scoped RSA key pair
from tests.kit.clock import ManualClock
from tests.kit.seed import MODEL

HS_NAME = "hubspot-main"
TOKEN = "sandbox-token"
LAG_S = 3.0  # the fake's default search-index lag, stated here so the test says what it needs


def _writes(requests: Sequence[RecordedRequest]) -> list[str]:
    """The endpoints of the requests that change CRM records."""
    out = []
    for r in requests:
        t = r.template.lower()
        if r.method in ("PATCH", "PUT", "DELETE") or (
            r.method == "POST"
            and any(k in t for k in ("batch/update", "batch/upsert", "composite", "ingest"))
        ):
            out.append(r.endpoint)
    return out


def _hubspot_engine(tmp_path: Path, url: str, clock: ManualClock, state_url: str) -> Engine:
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
""",
        encoding="utf-8",
    )
    settings = load_settings(cfg, {"HS_TOKEN": TOKEN})

    def factory(name: str, c: ConnectorConfig) -> Connector:
        assert isinstance(c, HubSpotConnectorConfig)
        return build_hubspot(name, c.connector_options(), clock=clock, sleep=clock.sleep)

    return Engine(settings, Store.open(state_url), factory, clock=clock.utc)


def test_hubspot_back_to_back_cycles_write_nothing_despite_the_index_lag(
    tmp_path: Path, state_url: str
) -> None:
    clock = ManualClock()
    app = HubSpotSandbox(
        generate(11, 40, clock.utc()),
        clock=clock,
        sleep=clock.sleep,
        token=TOKEN,
        search_lag_s=LAG_S,
    )
    with SandboxServer(app) as server:
        engine = _hubspot_engine(tmp_path, server.url, clock, state_url)
        # contacts edited shortly before the first cycle lie inside the next cycles'
        # read window, so those cycles re-read them from the lagging search index
        recent = [r.id for r in app.store.live("contacts")][:5]
        for cid in recent:
            app.store.update("contacts", cid, {"jobtitle": "VP Engineering"})
        clock.advance(150)  # past the connector's safety lag
        try:
            r1 = run_cycle(engine, HS_NAME)
            assert r1.status == "ok", r1.error
            assert r1.written > 0 and _writes(app.log.requests())
            for _ in range(2):
                clock.advance(1)  # well inside the index lag
                app.log.reset()
                r = run_cycle(engine, HS_NAME)
                assert r.status == "ok", r.error
                assert r.pulled >= len(recent)  # the stale copies were read
                assert _writes(app.log.requests()) == [], r
                assert r.written == 0 and r.drift_repaired == 0 and r.pending == 0

            # a hand edit after syncd's write is drift, restored once a read sees it
            # (past the connector's safety lag, which is past the index lag)
            victim = next(r.id for r in app.store.live("contacts"))
            right = app.store.get("contacts", victim)
            assert right is not None
            before = dict(right.properties)
            app.store.update("contacts", victim, {"syncd_score": "1", "syncd_tier": "hot"})
            clock.advance(180)
            r = run_cycle(engine, HS_NAME)
            assert r.status == "ok", r.error
            assert r.drift_repaired == 1 and r.written == 1
            after = app.store.get("contacts", victim)
            assert after is not None
            for key in ("syncd_score", "syncd_tier"):
                assert after.properties[key] == before[key]
        finally:
            engine.close()


def test_salesforce_back_to_back_cycles_write_nothing(
    tmp_path: Path, state_url: str, keys: tuple[str, str]
) -> None:
    from syncd.sandbox.salesforce import SalesforceSandbox

    clock = Clock()
    app = SalesforceSandbox(generate(5, 40, clock.utc()), clock=clock, sleep=lambda s: None)
    app.register_connected_app("syncd-e2e", keys[1])
    with SandboxServer(app) as server:
        engine = salesforce_engine(tmp_path, server.url, clock, keys[0], state_url)
        try:
            conn = engine.connector(SF_NAME)
            assert conn.ensure_fields(create=True).ok
            conn.close()
            clock.now += 60
            r1 = run_cycle(engine, SF_NAME)
            assert r1.status == "ok", r1.error
            assert r1.written > 0 and _writes(app.log.requests())
            for _ in range(2):
                clock.now += 1
                app.log.reset()
                r = run_cycle(engine, SF_NAME)
                assert r.status == "ok", r.error
                assert _writes(app.log.requests()) == [], r
                assert r.written == 0 and r.drift_repaired == 0 and r.pending == 0
        finally:
            engine.close()
