"""Merges and deletions end to end against both fakes: after contacts are merged and
deleted in the CRM, a state store that followed every change incrementally and a fresh
store filled by one full pull give every contact (merge survivors first) the same
score, and no row of the state store names a deleted or merged-away contact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from syncd.core import contact_from_json, score_batch
from syncd.modelfile import load_model
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from syncd.state.schema import metadata
from syncd.sync import Engine, run_cycle
from tests.e2e import test_e2e_hubspot as hs
from tests.e2e import test_e2e_salesforce as sf
from tests.e2e.test_e2e_hubspot import portal
from tests.e2e.test_e2e_salesforce import keys, org
from tests.kit.clock import ManualClock
from tests.kit.seed import MODEL

__all__ = ["keys", "org", "portal"]  # fixtures used here


def _scores(engine: Engine, name: str, as_of: Any) -> dict[str, tuple[int, str]]:
    contacts = [contact_from_json(o) for o in engine.store.export(name)]
    return {r.id: (r.score, r.tier) for r in score_batch(load_model(MODEL), contacts, as_of)}


def _mentions(url: str, ids: set[str]) -> list[str]:
    """Rows of any table of the state store naming one of ``ids``."""
    found = []
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                for row in conn.execute(sa.select(table)).mappings():
                    for column, value in row.items():
                        if not isinstance(value, str):
                            continue
                        if value in ids or any(f'"{i}"' in value for i in ids):
                            found.append(f"{table.name}.{column} = {value[:80]}")
    finally:
        engine.dispose()
    return found


def _assert_same(inc: Engine, full: Engine, name: str, as_of: Any, survivors: set[str]) -> None:
    a, b = _scores(inc, name, as_of), _scores(full, name, as_of)
    assert survivors <= set(a)
    assert a == b, {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}


def test_hubspot_merges_and_deletes(
    tmp_path: Path, state_url: str, portal: tuple[HubSpotSandbox, SandboxServer, ManualClock]
) -> None:
    app, server, clock = portal
    store = app.store
    inc = hs._engine(tmp_path, server.url, clock, state_url)
    full = None
    try:
        assert run_cycle(inc, hs.NAME).status == "ok"
        people = sorted(store.live("contacts"), key=lambda r: int(r.id))[:7]
        c = [r.id for r in people]
        emails = [r.properties.get("email", "") for r in people]
        clock.advance(600)
        store.add_page_view(c[2], store.now_ms() - 1000, "https://acme.example/pricing")
        first = store.merge("contacts", c[1], c[0]).id
        second = store.merge("contacts", c[3], c[2]).id
        store.archive("contacts", c[5])
        clock.advance(300)
        # marketing activity of merged-away addresses after the merge
        store.add_email_event("OPEN", emails[0], store.now_ms() - 1000)
        form = store.add_form("Contact us")
        store.add_submission(form, store.now_ms() - 500, {"email": emails[2]})
        clock.advance(900)
        assert run_cycle(inc, hs.NAME).status == "ok"
        clock.advance(600)
        third = store.merge("contacts", c[4], first).id  # a survivor merged again
        clock.advance(900)
        last = run_cycle(inc, hs.NAME)
        assert last.status == "ok", last.error
        gone = {c[0], c[1], c[2], c[3], c[4], c[5], first}
        assert _mentions(state_url, gone) == []

        clock.advance(600)  # past the last cycle's own writes
        (tmp_path / "full").mkdir()
        full = hs._engine(tmp_path / "full", server.url, clock, f"sqlite:///{tmp_path / 'f.db'}")
        assert run_cycle(full, hs.NAME).status == "ok"
        _assert_same(inc, full, hs.NAME, last.started_at, {second, third})
    finally:
        inc.close()
        if full is not None:
            full.close()


def test_salesforce_merges_and_deletes(
    tmp_path: Path,
    state_url: str,
    keys: tuple[str, str],
    org: tuple[SalesforceSandbox, SandboxServer, sf.Clock],
) -> None:
    app, server, clock = org
    inc = sf._engine(tmp_path, server.url, clock, keys[0], state_url)
    full = None
    try:
        conn = inc.connector(sf.NAME)
        assert conn.ensure_fields(create=True).ok
        conn.close()
        assert run_cycle(inc, sf.NAME).status == "ok"
        people = sorted(r["Id"] for r in app.store.records("Contact"))[:4]
        leads = sorted(r["Id"] for r in app.store.records("Lead") if not r.get("IsConverted"))[:3]
        clock.now += 600
        app.store.merge("Contact", people[1], [people[0]])
        app.store.merge("Lead", leads[1], [leads[0]])
        app.store.delete("Contact", people[2])
        app.store.delete("Lead", leads[2])
        clock.now += 600
        last = run_cycle(inc, sf.NAME)
        assert last.status == "ok", last.error
        assert _mentions(state_url, {people[0], people[2], leads[0], leads[2]}) == []

        clock.now += 600  # past the last cycle's own writes
        (tmp_path / "full").mkdir()
        full = sf._engine(
            tmp_path / "full", server.url, clock, keys[0], f"sqlite:///{tmp_path / 'f.db'}"
        )
        assert run_cycle(full, sf.NAME).status == "ok"
        _assert_same(inc, full, sf.NAME, last.started_at, {people[1], leads[1]})
    finally:
        inc.close()
        if full is not None:
            full.close()


def test_an_erased_contacts_rows_are_named_by_the_scan(tmp_path: Path) -> None:
    """The scan above finds an id wherever a row names it (a check that can fail)."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(metadata.tables["syncd_activity"]).values(
                connector="x", key="k", contact_id="zz", data=json.dumps({"who": "zz"})
            )
        )
    engine.dispose()
    assert len(_mentions(url, {"zz"})) == 2
