"""`syncd learn --connector NAME`: labels from the outcomes planted in the
state store, features as of each contact's decision point."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from click.testing import CliRunner

from connectors.base import ActivityRecord, ContactRecord, OutcomeRecord, Page
from syncd.cli import main
from syncd.modelfile import SHIPPED_DIR
from syncd.state import Store
from tests.predictive.synth import contacts

NOW = datetime(2026, 12, 1, tzinfo=UTC)


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
            elif i % 3 == 0:
                outcomes.append(OutcomeRecord(cid, f"deal:{i}:lost", "lost", at + timedelta(9)))
        store.commit_page("hs", Page(contacts=records, activities=acts, outcomes=outcomes), NOW)
    finally:
        store.close()


def _config(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "syncd.yaml"
    conn = {
        "type": "hubspot",
        "base_url": "http://127.0.0.1:9",
        "access_token": "t" * 20,
        "model": str(SHIPPED_DIR / "default.yaml"),
    }
    config.write_text(yaml.safe_dump({"state": {"url": url}, "connectors": {"hs": conn}}))
    return config


def test_learn_from_stored_outcomes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    _plant(url)
    config = _config(tmp_path, url)
    model, report = tmp_path / "m.json", tmp_path / "report"
    args = ["learn", "--connector", "hs", "--config", str(config), "--out", str(model)]
    r = CliRunner().invoke(main, [*args, "--report", str(report)])
    assert r.exit_code == 0, r.output
    assert "learned from connector hs: 300 labelled rows" in r.stdout
    assert "time split" in r.stdout
    saved = json.loads(model.read_text(encoding="utf-8"))
    positives = sum(label for _, label, _ in contacts(300, seed=8))
    assert saved["training"]["positives"] == positives
    columns = {c["name"] for c in saved["features"]["columns"]}
    assert {"title", "industry", "activity.page_view", "url./pricing"} <= columns
    assert "activity.meeting" not in columns  # planted after each conversion only
    assert saved["metrics"]["holdout"]["roc_auc"] > 0.6
    assert (report / "index.html").exists()


def test_learn_from_a_store_without_outcomes_says_what_is_missing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    Store.open(url).close()
    config = _config(tmp_path, url)
    r = CliRunner().invoke(
        main, ["learn", "--connector", "hs", "--config", str(config), "--out", "m.json"]
    )
    assert r.exit_code == 1
    assert "connector hs: not enough labelled data to learn and judge a model: 0 labelled" in (
        r.stderr
    )
