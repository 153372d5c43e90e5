"""The per-connector ``outcome`` key: a documented default, parsed durations and
targets, and bounds reported on the offending line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from syncd.core.outcomes import OutcomeRule
from syncd.settings import ConfigError, load_settings

HUBSPOT = """\
connectors:
  hubspot-main:
    type: hubspot
    access_token: tok
    model: default
"""


def _load(tmp_path: Path, text: str) -> OutcomeRule:
    p = tmp_path / "syncd.yaml"
    p.write_text(text, encoding="utf-8")
    return load_settings(p, {}).connectors["hubspot-main"].outcome.rule()


def test_default_is_an_opportunity_within_90_days(tmp_path: Path) -> None:
    assert _load(tmp_path, HUBSPOT) == OutcomeRule("opportunity", timedelta(days=90))


def test_target_and_window_are_configurable(tmp_path: Path) -> None:
    rule = _load(tmp_path, HUBSPOT + "    outcome: {target: won, window: 180d}\n")
    assert rule == OutcomeRule("won", timedelta(days=180))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{window: 0d}", "outcome.window: must be between 1d and 730d"),
        ("{window: 1000d}", "outcome.window: must be between 1d and 730d"),
        ("{target: sql}", "outcome.target"),
        ("{traget: won}", "outcome.traget: unknown key"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, value: str, message: str) -> None:
    p = tmp_path / "syncd.yaml"
    p.write_text(HUBSPOT + f"    outcome: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_settings(p, {})
    issues = [str(i).removeprefix(f"{p}:") for i in exc.value.issues]
    assert len(issues) == 1 and issues[0].startswith("6: ") and message in issues[0], issues
