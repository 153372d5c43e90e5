"""End to end against the fake Salesforce org through simple-salesforce: the
cycle refuses to run until `setup` made the fields; then every Lead and
Contact holds what the core computes from the stored JSON (Leads joined to
their company's account); the next cycle writes nothing; a hand edit is
restored; a rescore makes no read calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Connector
from connectors.salesforce.connector import build
from syncd.core import contact_from_json, score_batch, summary
from syncd.modelfile import load_model
from syncd.sandbox.generator import generate
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.settings import ConnectorConfig, SalesforceConnectorConfig, load_settings
from syncd.state import Store
from syncd.sync import Engine, run_cycle
from tests.kit.seed import MODEL

NAME = "salesforce-prod"
CONSUMER_KEY = "syncd-e2e"


class Clock:
    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def utc(self) -> Any:
        from datetime import UTC, datetime

        return datetime.fromtimestamp(self.now, tz=UTC)


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture
def org(keys: tuple[str, str]) -> Iterator[tuple[SalesforceSandbox, SandboxServer, Clock]]:
    clock = Clock()
    app = SalesforceSandbox(generate(5, 40, clock.utc()), clock=clock, sleep=lambda s: None)
    app.register_connected_app(CONSUMER_KEY, keys[1])
    with SandboxServer(app) as server:
        yield app, server, clock


def _engine(
    tmp_path: Path, url: str, clock: Clock, private: str, state_url: str, extra: str = ""
) -> Engine:
    cfg = tmp_path / "syncd.yaml"
    cfg.write_text(
        f"""\
state: {{url: "{state_url}"}}
connectors:
  {NAME}:
    type: salesforce
    instance_url: {url}
    login_url: {url}
    auth: {{flow: jwt, username: integration@syncd.example, consumer_key: {CONSUMER_KEY},
            private_key: "${{SF_KEY}}"}}
    model: {MODEL}
    bulk_poll: 0s
{extra}""",
        encoding="utf-8",
    )
    settings = load_settings(cfg, {"SF_KEY": private})

    def factory(name: str, c: ConnectorConfig) -> Connector:
        assert isinstance(c, SalesforceConnectorConfig)
        return build(name, c.connector_options(), clock=clock, sleep=lambda s: None)

    return Engine(settings, Store.open(state_url), factory, clock=clock.utc)


def _crm(app: SalesforceSandbox, engine: Engine) -> dict[str, tuple[Any, ...]]:
    out = {}
    for obj in engine.store.export(NAME):
        sc = engine.store.contact(NAME, obj["id"])
        assert sc is not None
        if not sc.writable:
            continue
        rec = app.store.get("Lead" if sc.kind == "lead" else "Contact", sc.id)
        assert rec is not None
        score = rec.get("Syncd_Score__c")
        out[sc.id] = (
            None if score is None else int(score),
            rec.get("Syncd_Tier__c"),
            rec.get("Syncd_Reasons__c"),
            rec.get("Syncd_Priority__c"),
        )
    return out


def _core(engine: Engine, as_of: Any, ids: set[str]) -> dict[str, tuple[Any, ...]]:
    contacts = [contact_from_json(o) for o in engine.store.export(NAME)]
    return {
        r.id: (r.score, r.tier, summary(r), r.priority)
        for r in score_batch(load_model(MODEL), contacts, as_of)
        if r.id in ids
    }


def test_salesforce_cycle_end_to_end(
    tmp_path: Path,
    state_url: str,
    keys: tuple[str, str],
    org: tuple[SalesforceSandbox, SandboxServer, Clock],
) -> None:
    app, server, clock = org
    engine = _engine(tmp_path, server.url, clock, keys[0], state_url)
    try:
        r0 = run_cycle(engine, NAME)
        assert r0.status == "failed" and "syncd setup" in (r0.error or "")
        assert keys[0] not in (r0.error or "")
        conn = engine.connector(NAME)
        assert conn.ensure_fields(create=True).ok  # what `syncd setup` does
        conn.close()

        clock.now += 60  # the seed's newest records lie in the past, before `until`
        r1 = run_cycle(engine, NAME)
        assert r1.status == "ok", r1.error
        assert r1.written > 0 and r1.pending == 0
        crm = _crm(app, engine)
        assert crm == _core(engine, r1.started_at, set(crm))
        leads = [o for o in engine.store.export(NAME) if o["id"].startswith("00Q")]
        assert any("account" in o for o in leads), "no lead joined its company's account"

        clock.now += 900
        r2 = run_cycle(engine, NAME)
        assert r2.status == "ok", r2.error
        assert r2.pulled > 0 and r2.written == 0, r2

        victim = next(iter(crm))
        sobject = "Lead" if victim.startswith("00Q") else "Contact"
        app.store.update(sobject, victim, {"Syncd_Score__c": 1, "Syncd_Tier__c": "hot"})
        clock.now += 900
        r3 = run_cycle(engine, NAME)
        assert r3.status == "ok", r3.error
        assert r3.drift_repaired == 1 and r3.written == 1
        assert _crm(app, engine)[victim] == crm[victim]

        r4 = run_cycle(engine, NAME, rescore_only=True)
        assert r4.status == "ok" and r4.scored > 0
        assert not [k for k, n in r4.api_calls.items() if n and k not in ("write", "auth")], (
            r4.api_calls
        )
    finally:
        engine.close()


def test_cycles_describe_once_and_mix_accounts_into_contact_batches(
    tmp_path: Path,
    state_url: str,
    keys: tuple[str, str],
    org: tuple[SalesforceSandbox, SandboxServer, Clock],
) -> None:
    """Calls from the fake's log: one collections call carries contacts and accounts
    together (records grouped by type), and only the first cycle of an engine
    describes Lead, Contact and Account (the engine keeps the passed check)."""
    import json
    import math

    app, server, clock = org
    engine = _engine(tmp_path, server.url, clock, keys[0], state_url)
    try:
        # `syncd setup` (the connector's own call: the engine keeps nothing from it)
        assert engine.connector(NAME).ensure_fields(create=True).ok
        clock.now += 60
        app.log.reset()
        r1 = run_cycle(engine, NAME)
        assert r1.status == "ok", r1.error
        assert r1.written > 0 and r1.accounts_written > 0
        writes = [
            r
            for r in app.log.requests()
            if r.method == "PATCH" and r.path.endswith("/composite/sobjects")
        ]
        assert len(writes) == math.ceil((r1.written + r1.accounts_written) / 200) == 1
        types = [rec["attributes"]["type"] for rec in json.loads(writes[0].body)["records"]]
        assert types == sorted(types) and {"Account", "Contact", "Lead"} <= set(types)
        assert sum(1 for r in app.log.requests() if r.path.endswith("/describe")) == 3

        for _ in range(2):
            clock.now += 900
            app.log.reset()
            r = run_cycle(engine, NAME)
            assert r.status == "ok", r.error
            assert not [q.path for q in app.log.requests() if q.path.endswith("/describe")]
    finally:
        engine.close()


def test_the_daemons_cycle_writes_through_bulk_above_the_threshold(
    tmp_path: Path,
    state_url: str,
    keys: tuple[str, str],
    org: tuple[SalesforceSandbox, SandboxServer, Clock],
) -> None:
    """The connector owns write batching: ``run_cycle`` hands it every write of the
    cycle, so above ``bulk_write_threshold`` they go out as Bulk API 2.0 jobs (one per
    object), not as sObject Collections batches the engine sliced."""
    app, server, clock = org
    engine = _engine(
        tmp_path, server.url, clock, keys[0], state_url, "    bulk_write_threshold: 10\n"
    )
    try:
        assert engine.connector(NAME).ensure_fields(create=True).ok
        clock.now += 60
        app.log.reset()
        report = run_cycle(engine, NAME)
        assert report.status == "ok", report.error
        assert report.written > 10
        jobs = [
            r for r in app.log.requests() if r.method == "POST" and r.path.endswith("/jobs/ingest")
        ]
        collections = [r for r in app.log.requests() if r.path.endswith("/composite/sobjects")]
        assert len(jobs) == 3 and not collections  # Lead, Contact and Account jobs
        assert report.pending == 0 and report.accounts_written > 0
    finally:
        engine.close()
