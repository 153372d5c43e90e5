"""The log lines of a cycle: started, finished (with kind, duration, calls and
counts) and a model change at info; page- and batch-level lines at debug only."""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import MODEL, seed
from tests.sync.helpers import NAME, NOW, Clock, make_engine, write_config


def _events(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "syncd.sync" and r.levelno == level]


def test_cycle_lines_and_a_model_change(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="syncd.sync")
    crm = MemoryCRM()
    seed(crm)
    clock = Clock(NOW)
    engine, _ = make_engine(
        write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}"), crm, clock=clock
    )
    try:
        report = run_cycle(engine, NAME)
    finally:
        engine.close()
    info = _events(caplog, logging.INFO)
    assert [r.__dict__["event"] for r in info] == ["cycle_started", "scored", "cycle_finished"]
    done = info[-1].__dict__
    assert done["kind"] == "incremental" and done["status"] == "ok"
    assert done["duration_s"] == 0.0  # the test clock stands still
    assert done["calls"] == sum(report.api_calls.values()) > 0
    assert done["api_calls"] == dict(report.api_calls)
    assert (done["pulled"], done["scored"], done["written"]) == (
        report.pulled,
        report.scored,
        report.written,
    )
    debug = {r.__dict__["event"] for r in _events(caplog, logging.DEBUG)}
    assert {"page_committed", "write_batch"} <= debug

    # a different model: one line naming the old and the new reference
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        MODEL.read_text(encoding="utf-8").replace("min: 50", "min: 45"), encoding="utf-8"
    )
    shutil.copy(MODEL.parent / "priority-accounts.csv", tmp_path)
    caplog.clear()
    clock.now = NOW + timedelta(minutes=15)
    engine, _ = make_engine(
        write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", model=changed),
        crm,
        clock=clock,
    )
    try:
        run_cycle(engine, NAME)
        new_ref = engine.model(NAME).ref
    finally:
        engine.close()
    moved = [
        r.__dict__ for r in _events(caplog, logging.INFO) if r.__dict__["event"] == "model_changed"
    ]
    assert len(moved) == 1 and moved[0]["to"] == new_ref
    assert moved[0]["from"] != new_ref and moved[0]["from"].startswith("default@")
