"""The cycle against the in-memory CRM, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from syncd.core import account_scores
from syncd.modelfile import load_model
from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import MODEL, seed
from tests.sync.helpers import (
    NAME,
    NOW,
    crm_matches_core,
    expected_scores,
    make_engine,
    write_config,
)


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
    assert r2.scored == 0  # only syncd's own fields changed: re-diffed, not rescored
    assert r2.written == 0 and len(crm.writes) == writes
    assert r2.api_calls.get("write", 0) == 0
    assert len(built) == 1 and not built[0].closed  # one connector for the engine's life
    app.close()
    assert built[0].closed


def test_account_scores_written_and_restored(tmp_path: Path, state_url: str) -> None:
    crm = MemoryCRM()
    seed(crm)
    app, _ = make_engine(write_config(tmp_path, state_url), crm)
    r1 = run_cycle(app, NAME)
    assert r1.status == "ok" and r1.accounts_written > 0 and r1.accounts_pending == 0
    results = list(expected_scores(app.store, NOW).values())
    want = {
        a.key[3:]: a
        for a in account_scores(load_model(MODEL), results)
        if a.key.startswith("id:") and a.key[3:] in crm.accounts
    }
    assert want and {k: crm.accounts[k]["fields"]["score"] for k in want} == {
        k: a.score for k, a in want.items()
    }
    assert crm.accounts["001ACME"]["fields"]["summary"].startswith(
        f"top3_sum = {want['001ACME'].score} over 4 contact(s); top: 003A1"
    )
    r2 = run_cycle(app, NAME)
    assert r2.accounts_written == 0 and r2.written == 0
    acme = crm.accounts["001ACME"]
    acme["fields"]["score"] = 0
    acme["mod"] = crm.tick()
    r3 = run_cycle(app, NAME)
    assert r3.accounts_written == 1 and acme["fields"]["score"] == want["001ACME"].score
    app.close()


def test_account_summary_is_the_buying_group_line_when_the_model_has_one(
    tmp_path: Path, state_url: str
) -> None:
    crm = MemoryCRM()
    seed(crm)
    model = MODEL.parents[2] / "config" / "examples" / "buying-group.yaml"
    app, _ = make_engine(write_config(tmp_path, state_url, model=model), crm)
    assert run_cycle(app, NAME).status == "ok"
    summary = crm.accounts["001ACME"]["fields"]["summary"]
    assert summary.startswith("Buying group ") and "engaged" in summary
    assert len(summary) <= 255
    app.close()
