"""Scheduled retraining of a predictive model trained with a points model that
is not the connector's live one: the new model is learned with the same
points model (the file the old one names, as scoring applies it), so the
champion check judges both on the same held-out rows instead of replacing the
old model unjudged; only when that file is no longer the model it was (the
old model cannot be applied at all) is the new one learned without it, and it
replaces the old."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from connectors.base import ActivityRecord, ContactRecord, OutcomeRecord, Page
from syncd.cli import main
from syncd.modelfile import load_model
from syncd.state import Store
from syncd.sync.retrain import maybe_retrain
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import MODEL
from tests.predictive.synth import contacts
from tests.sync.helpers import NAME, Clock, make_engine, write_config

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SAAS = MODEL.parent / "saas.yaml"


def _plant(url: str) -> None:
    store = Store.open(url)
    try:
        records, acts, outcomes = [], [], []
        for i, (obj, label, at) in enumerate(contacts(300, seed=8)):
            cid = obj["id"]
            data = {k: v for k, v in obj.items() if k != "activities"}
            records.append(ContactRecord(id=cid, kind="contact", data=data))
            for k, act in enumerate(obj["activities"]):
                acts.append(ActivityRecord(f"ev:{cid}:{k}", cid, act))
            if label:
                outcomes.append(OutcomeRecord(cid, f"deal:{i}:won", "won", at, 1000.0))
        store.commit_page(NAME, Page(contacts=records, activities=acts, outcomes=outcomes), NOW)
    finally:
        store.close()


def _training(model: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(model.read_text(encoding="utf-8"))["training"]
    return found


def test_retraining_keeps_the_points_model_the_old_one_was_trained_with(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    _plant(url)
    points = tmp_path / "saas.yaml"
    shutil.copyfile(SAAS, points)
    trained = load_model(points)
    assert trained.ref != load_model(MODEL).ref
    model = tmp_path / "conversion.json"
    config = write_config(tmp_path, url)
    args = ["learn", "--connector", NAME, "--model", str(points), "--out", str(model)]
    learned = CliRunner().invoke(main, [*args, "--config", str(config)])
    assert learned.exit_code == 0, learned.output
    assert _training(model)["points_model"] == {"ref": trained.ref, "path": str(points)}

    extra = f"    predictive: {{model: {model}, retrain: {{every: 7d}}}}\n"
    config = write_config(tmp_path, url, extra=extra)
    clock = Clock(NOW)
    app, _ = make_engine(config, MemoryCRM(), clock)
    try:
        maybe_retrain(app, NAME, NOW, dry_run=False)
        verdict = app.store.meta(NAME).retrain or {}
        assert verdict["verdict"] in ("retrained", "kept"), verdict
        # both judged on the same held-out rows: the old model was applied too
        assert isinstance(verdict["old_auc"], float) and isinstance(verdict["new_auc"], float)
        assert _training(model)["points_model"] == {"ref": trained.ref, "path": str(points)}

        # the named file is another model now: the old one cannot be applied, and loses
        points.write_text(
            SAAS.read_text(encoding="utf-8").replace("half_life_days: 60", "half_life_days: 45"),
            encoding="utf-8",
        )
        later = NOW + timedelta(days=8)
        clock.now = later
        maybe_retrain(app, NAME, later, dry_run=False)
        verdict = app.store.meta(NAME).retrain or {}
        assert verdict["verdict"] == "retrained" and verdict["old_auc"] is None, verdict
        assert verdict["reason"] == f"the old model needs points model {trained.ref}"
        assert "points_model" not in _training(model)
    finally:
        app.close()
