"""Opt-in scheduled retraining (``predictive.retrain``): it runs in the first
cycle with it set and then once every ``every``; retraining that cannot run
(too few labelled contacts in the store) is logged, leaves the model file
as it was and never fails the cycle."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.cli import main
from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, Clock, make_engine, write_config

DATA = Path(__file__).parents[1] / "data" / "bank-marketing-sample.csv"


def _events(caplog: pytest.LogCaptureFixture) -> list[str]:
    found = [str(getattr(r, "event", "")) for r in caplog.records]
    return [e for e in found if e.startswith("predictive_")]


def test_retraining_without_enough_outcomes_is_skipped_and_tried_again_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = tmp_path / "conversion.json"
    learned = CliRunner().invoke(
        main, ["learn", "--data", str(DATA), "--label", "y", "--out", str(model)]
    )
    assert learned.exit_code == 0, learned.output
    before = model.read_bytes()
    extra = f"    predictive: {{model: {model}, retrain: {{every: 7d}}}}\n"
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", extra=extra)
    crm = MemoryCRM()
    seed(crm)
    clock = Clock()
    app, _ = make_engine(config, crm, clock)
    try:
        with caplog.at_level(logging.INFO, logger="syncd.sync"):
            for advance, expected in (
                (timedelta(0), ["predictive_retrain_skipped"]),
                (timedelta(days=6), []),
                (timedelta(days=1), ["predictive_retrain_skipped"]),
            ):
                clock.now += advance
                caplog.clear()
                r = run_cycle(app, NAME)
                assert r.status == "ok", r.error
                assert _events(caplog) == expected
        skipped = next(
            r for r in caplog.records if getattr(r, "event", "") == "predictive_retrain_skipped"
        )
        assert "not enough labelled data" in str(getattr(skipped, "reason", ""))
        assert model.read_bytes() == before
    finally:
        app.close()
