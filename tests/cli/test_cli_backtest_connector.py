"""`syncd backtest --connector`: the same replay from a state store holding
contacts, activities and planted outcomes; without --model the connector's
live model and its shadow models are judged, the live one first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from connectors.base import ActivityRecord, ContactRecord, OutcomeRecord, Page
from syncd.cli import main
from syncd.core import parse_datetime
from syncd.state import Store
from tests.kit.outcome_data import BLIND_MODEL, SIGNAL_MODEL, outcome_contacts
from tests.sync.helpers import NAME, write_config

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def _plant(store: Store, rows: list[dict[str, object]]) -> None:
    contacts, activities, outcomes = [], [], []
    for row in rows:
        cid = str(row["id"])
        data = {k: v for k, v in row.items() if k not in ("activities", "outcome")}
        contacts.append(ContactRecord(id=cid, kind="contact", data=data))
        acts = row["activities"]
        assert isinstance(acts, list)
        activities += [ActivityRecord(f"{cid}:{i}", cid, a) for i, a in enumerate(acts)]
        outcome = row["outcome"]
        assert isinstance(outcome, dict)
        if outcome["converted"]:
            at = parse_datetime(outcome["at"])
            assert at is not None
            outcomes.append(OutcomeRecord(cid, "deal:1:opportunity", "opportunity", at))
            # a later win and an earlier SQL change nothing for target opportunity
            outcomes.append(OutcomeRecord(cid, "lifecycle:sql", "sql", at - timedelta(days=2)))
    store.commit_page(NAME, Page(contacts=contacts, activities=activities, outcomes=outcomes), NOW)


def test_backtest_a_connector_with_its_live_and_shadow_models(tmp_path: Path) -> None:
    signal, blind = tmp_path / "signals.yaml", tmp_path / "blind.yaml"
    signal.write_text(SIGNAL_MODEL, encoding="utf-8")
    blind.write_text(BLIND_MODEL, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    config = write_config(tmp_path, url, signal, extra=f"    shadow_models: [{blind}]\n")
    rows = outcome_contacts(400, seed=21)
    store = Store.open(url)
    try:
        _plant(store, rows)
    finally:
        store.close()
    runner = CliRunner()
    clock = {"clock": lambda: NOW}
    args = ["backtest", "--connector", NAME, "--config", str(config), "--json"]
    result = runner.invoke(main, [*args, "--capacity", "5/week"], obj=clock)
    assert result.exit_code == 0, result.output
    live, shadow = (json.loads(x) for x in result.stdout.splitlines())
    # default cut: now - 90 days (2026-06-03), the window of the default outcome rule
    assert live["cut"] == (NOW - timedelta(days=90)).isoformat()
    assert live["model"].startswith("signals@") and shadow["model"].startswith("blind@")
    assert live["roc_auc"] > shadow["roc_auc"] + 0.1
    assert live["suggested_threshold"] is not None

    # the same contacts as a --data file at the same cut give the same figures
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    offline = runner.invoke(
        main,
        [
            "backtest",
            "--data",
            str(data),
            "--model",
            str(signal),
            "--json",
            "--as-of",
            live["cut"],
            "--capacity",
            "5/week",
        ],
    )
    assert offline.exit_code == 0, offline.output
    assert json.loads(offline.stdout) == live


def test_a_store_without_outcomes_is_too_little_data(tmp_path: Path) -> None:
    signal = tmp_path / "signals.yaml"
    signal.write_text(SIGNAL_MODEL, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    config = write_config(tmp_path, url, signal)
    rows = outcome_contacts(30, seed=4)
    for r in rows:
        r["outcome"] = {"converted": False}
    store = Store.open(url)
    try:
        _plant(store, rows)
    finally:
        store.close()
    result = CliRunner().invoke(
        main,
        ["backtest", "--connector", NAME, "--config", str(config)],
        obj={"clock": lambda: NOW},
    )
    assert result.exit_code == 1
    assert "too few outcomes to judge" in result.stderr and "there are 0 with" in result.stderr


def test_unknown_connector(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    result = CliRunner().invoke(main, ["backtest", "--connector", "nope", "--config", str(config)])
    assert result.exit_code == 1 and "unknown connector 'nope'" in result.stderr


def _industry(row: dict[str, object]) -> object:
    props = row["properties"]
    assert isinstance(props, dict)
    return props["industry"]


def test_a_routed_connector_is_judged_segment_by_segment(tmp_path: Path) -> None:
    signal, blind = tmp_path / "signals.yaml", tmp_path / "blind.yaml"
    signal.write_text(SIGNAL_MODEL, encoding="utf-8")
    blind.write_text(BLIND_MODEL, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    config = tmp_path / "syncd.yaml"
    config.write_text(
        f"""\
state:
  url: "{url}"
connectors:
  {NAME}:
    type: hubspot
    access_token: tok-secret-789
    models:
      - when: {{industry: {{in: [Technology, Software]}}}}
        model: {signal}
      - model: {blind}
""",
        encoding="utf-8",
    )
    rows = outcome_contacts(600, seed=21)
    tech = [r for r in rows if _industry(r) in ("Technology", "Software")]
    store = Store.open(url)
    try:
        _plant(store, rows)
    finally:
        store.close()
    result = CliRunner().invoke(
        main,
        ["backtest", "--connector", NAME, "--config", str(config), "--json"],
        obj={"clock": lambda: NOW},
    )
    assert result.exit_code == 0, result.output
    first, default = (json.loads(x) for x in result.stdout.splitlines())
    assert first["model"].startswith("signals@") and '[route 1 of 2 ({"industry"' in first["model"]
    assert default["model"].startswith("blind@") and default["model"].endswith(
        "[route 2 of 2 (default)]"
    )
    # each segment is judged on its own contacts only
    judged_before_cut = first["contacts"] + default["contacts"]
    assert 0 < first["contacts"] <= len(tech) < judged_before_cut
