"""`resync --since` against both sandboxes through the real SDKs: records the
cursor has already passed (their modification date back-dated, as when data
is fixed behind the incremental's back) are re-read when modified at or after
``since`` and only those; they are scored and written like in an ordinary
cycle, and the next ordinary cycle writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.sync import run_cycle
from tests.e2e import test_e2e_hubspot as hs
from tests.e2e import test_e2e_salesforce as sf
from tests.e2e.test_e2e_hubspot import portal  # noqa: F401 (fixture)
from tests.e2e.test_e2e_salesforce import keys, org  # noqa: F401 (fixtures)
from tests.kit.clock import ManualClock

HOURS = 3 * 3600  # far beyond both connectors' lookback, within a day


def test_hubspot_since_rereads_only_records_modified_since(
    tmp_path: Any,
    portal: tuple[HubSpotSandbox, SandboxServer, ManualClock],  # noqa: F811
) -> None:
    app, server, clock = portal
    engine = hs._engine(tmp_path, server.url, clock, f"sqlite:///{tmp_path / 's.db'}")
    try:
        assert run_cycle(engine, hs.NAME).status == "ok"
        clock.advance(900)
        assert run_cycle(engine, hs.NAME).written == 0  # re-reads our own writes
        fixed_at = clock.utc()
        clock.advance(HOURS)
        assert run_cycle(engine, hs.NAME).status == "ok"  # the cursor is now past fixed_at
        victims = [rec.id for rec in app.store.live("contacts")[:3]]
        for cid in victims:  # fixed hours ago, outside every lookback
            app.store.update(
                "contacts",
                cid,
                {"jobtitle": "Chief Executive Officer"},
                at_ms=int(fixed_at.timestamp() * 1000) + 60_000,
            )
        clock.advance(900)
        normal = run_cycle(engine, hs.NAME)
        assert normal.status == "ok" and normal.pulled == 0 and normal.written == 0

        clock.advance(900)
        app.log.reset()
        again = run_cycle(engine, hs.NAME, since=fixed_at)
        assert again.status == "ok", again.error
        assert again.pulled == len(victims)
        assert 0 < again.written <= len(victims)
        crm, core = hs._crm_fields(app), hs._core(engine, again.started_at)
        assert {v: crm[v] for v in victims} == {v: core[v] for v in victims}
        cursor = engine.store.meta(hs.NAME).cursor
        assert cursor is not None and cursor["since"] > int(fixed_at.timestamp() * 1000)

        clock.advance(900)
        after = run_cycle(engine, hs.NAME)
        assert after.status == "ok" and after.written == 0
    finally:
        engine.close()


def test_salesforce_since_rereads_only_records_modified_since(
    tmp_path: Any,
    keys: tuple[str, str],  # noqa: F811
    org: tuple[SalesforceSandbox, SandboxServer, sf.Clock],  # noqa: F811
) -> None:
    app, server, clock = org
    engine = sf._engine(tmp_path, server.url, clock, keys[0], f"sqlite:///{tmp_path / 's.db'}")
    try:
        conn = engine.connector(sf.NAME)
        assert conn.ensure_fields(create=True).ok
        conn.close()
        clock.now += 60
        assert run_cycle(engine, sf.NAME).status == "ok"
        clock.now += 900
        assert run_cycle(engine, sf.NAME).written == 0  # re-reads our own writes
        fixed_at = clock.utc()
        clock.now += HOURS
        assert run_cycle(engine, sf.NAME).status == "ok"  # the cursor is now past fixed_at
        writable = [cid for cid in sf._crm(app, engine) if cid.startswith("00Q")][:3]
        stamp = fixed_at + dt.timedelta(minutes=1)
        for cid in writable:
            app.store.update(
                "Lead",
                cid,
                {
                    "Title": "Chief Executive Officer",
                    "SystemModstamp": stamp,
                    "LastModifiedDate": stamp,
                },
            )
        clock.now += 900
        normal = run_cycle(engine, sf.NAME)
        assert normal.status == "ok" and normal.pulled == 0 and normal.written == 0

        clock.now += 900
        app.log.reset()
        again = run_cycle(engine, sf.NAME, since=fixed_at)
        assert again.status == "ok", again.error
        assert again.pulled == len(writable)
        assert 0 < again.written <= len(writable)
        crm = sf._crm(app, engine)
        assert {v: crm[v] for v in writable} == sf._core(engine, again.started_at, set(writable))
        streams = (engine.store.meta(sf.NAME).cursor or {})["streams"]
        assert streams and all(
            v[0] > (stamp + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
            for v in streams.values()
        )

        clock.now += 900
        after = run_cycle(engine, sf.NAME)
        assert after.status == "ok" and after.written == 0
    finally:
        engine.close()
