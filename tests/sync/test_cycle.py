"""The cycle against the in-memory CRM, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, NOW, crm_matches_core, make_engine, write_config


def test_cycle_writes_core_scores_then_nothing(tmp_path: Path, state_url: str) -> None:
    crm = MemoryCRM()
    seed(crm)
    app, built = make_engine(write_config(tmp_path, state_url), crm)
    r1 = run_cycle(app, NAME)
    assert r1.status == "ok", r1.error
    assert r1.pulled == len(crm.contacts) and r1.scored == len(crm.contacts)
    assert r1.written == len(crm.contacts) and r1.pending == 0
    crm_matches_core(crm, app.store, NOW)
    writes = len(crm.writes)
    # our writes bumped the records: the next cycle re-reads them and writes none
    r2 = run_cycle(app, NAME)
    assert r2.status == "ok", r2.error
    assert r2.pulled == len(crm.contacts)
    assert r2.written == 0 and len(crm.writes) == writes
    assert r2.api_calls.get("write", 0) == 0
    assert built[-1].closed
    app.close()
