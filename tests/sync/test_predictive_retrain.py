"""Opt-in scheduled retraining (``predictive.retrain``): it runs in the first
cycle with it set and then once every ``every``; retraining that cannot run
(too few labelled contacts in the store) is logged, leaves the model file
as it was and never fails the cycle. ``syncd report`` shows the last verdict
and when the next retraining is due, only for a connector with ``predictive``."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

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


def test_report_shows_the_last_retraining_verdict_and_when_the_next_is_due(
    tmp_path: Path,
) -> None:
    model = tmp_path / "conversion.json"
    learned = CliRunner().invoke(
        main, ["learn", "--data", str(DATA), "--label", "y", "--out", str(model)]
    )
    assert learned.exit_code == 0, learned.output
    extra = f"    predictive: {{model: {model}, retrain: {{every: 7d}}}}\n"
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", extra=extra)
    crm = MemoryCRM()
    seed(crm)
    clock = Clock()
    app, _ = make_engine(config, crm, clock)
    try:
        before = _report_json(config, clock)
        assert before["predictive"] == {
            "model_file": str(model),
            "retrain_every_seconds": 7 * 86400.0,
            "last_retrain": None,
            "next_retrain_due": clock.now.isoformat(),
        }
        r = run_cycle(app, NAME)
        assert r.status == "ok", r.error
        ran_at = clock.now
        clock.now += timedelta(days=1)
        shown = _report_json(config, clock)["predictive"]
        last = shown["last_retrain"]
        assert (last["verdict"], last["at"]) == ("skipped", ran_at.isoformat())
        assert "not enough labelled data" in last["reason"]
        assert last["new_auc"] is None and last["old_auc"] is None
        assert shown["next_retrain_due"] == (ran_at + timedelta(days=7)).isoformat()

        # a verdict with both held-out ROC-AUCs, as a retraining that ran stores it
        kept = {
            "verdict": "kept",
            "at": clock.now.isoformat(),
            "new_auc": 0.71,
            "old_auc": 0.74,
            "reason": "held-out ROC-AUC 0.7100 < 0.7400",
        }
        app.store.set_meta(NAME, clock.now, retrained_at=clock.now, retrain=kept)
        assert _report_json(config, clock)["predictive"]["last_retrain"] == kept
        html = tmp_path / "report.html"
        text = _invoke(config, clock, "report", "--html", str(html))
        assert "predictive model" in text and "kept" in text and "0.7100" in text
        page = html.read_text(encoding="utf-8")
        assert f'id="predictive-{NAME}"' in page and "0.7400" in page
    finally:
        app.close()


def test_report_has_no_predictive_section_without_predictive(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    crm = MemoryCRM()
    seed(crm)
    clock = Clock()
    app, _ = make_engine(config, crm, clock)
    try:
        assert run_cycle(app, NAME).status == "ok"
        assert "predictive" not in _report_json(config, clock)
        html = tmp_path / "report.html"
        text = _invoke(config, clock, "report", "--html", str(html))
        assert "predictive model" not in text
        assert "Predictive model" not in html.read_text(encoding="utf-8")
    finally:
        app.close()


def _invoke(config: Path, clock: Clock, *args: str) -> str:
    result = CliRunner().invoke(
        main, [*args, "--config", str(config)], obj={"clock": clock}, terminal_width=200
    )
    assert result.exit_code == 0, result.output
    return result.output


def _report_json(config: Path, clock: Clock) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_invoke(config, clock, "report", "--json"))
    [connector] = data["connectors"]
    assert isinstance(connector, dict)
    return connector
