# ruff: noqa: E501  (the issue's config example is quoted verbatim)
"""Config loading: the issue's example shape, env overrides, precise errors, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.cli import main
from syncd.settings import (
    ConfigError,
    CronSchedule,
    EverySchedule,
    HubSpotConnectorConfig,
    SalesforceConnectorConfig,
    load_settings,
)

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "syncd" / "models" / "default.yaml"

ISSUE_SHAPE = f"""\
state:
  url: sqlite:///./syncd-state.db
connectors:
  hubspot-main:
    type: hubspot
    base_url: http://127.0.0.1:8081
    access_token: ${{HUBSPOT_TOKEN}}
    model: {MODEL}
    schedule: {{every: 15m}}
  salesforce-prod:
    type: salesforce
    instance_url: http://127.0.0.1:8082
    auth: {{flow: password, username: u, password: ${{SF_PASSWORD}}, consumer_key: k, consumer_secret: s}}
    model: {MODEL}
    schedule: {{cron: "*/10 * * * *"}}
"""

ENV = {"HUBSPOT_TOKEN": "pat-secret-123", "SF_PASSWORD": "sf-secret-456", "SF_PRIVATE_KEY": "k"}


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "syncd.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_issue_shape_loads(tmp_path: Path) -> None:
    s = load_settings(_write(tmp_path, ISSUE_SHAPE), ENV)
    hs = s.connectors["hubspot-main"]
    sf = s.connectors["salesforce-prod"]
    assert isinstance(hs, HubSpotConnectorConfig) and isinstance(sf, SalesforceConnectorConfig)
    assert isinstance(hs.schedule, EverySchedule) and hs.schedule.every.total_seconds() == 900
    assert isinstance(sf.schedule, CronSchedule)
    assert hs.access_token is not None
    assert hs.access_token.get_secret_value() == "pat-secret-123"
    assert "pat-secret-123" not in repr(s)
    assert hs.connector_options().base_url == "http://127.0.0.1:8081"


def test_example_config_is_valid() -> None:
    s = load_settings(ROOT / "config" / "syncd.example.yaml", ENV)
    assert set(s.connectors) == {"hubspot-main", "salesforce-prod"}


def test_env_overrides_file(tmp_path: Path) -> None:
    env = {**ENV, "SYNCD_STATE__URL": "postgresql://db/x"}
    s = load_settings(_write(tmp_path, ISSUE_SHAPE), env)
    assert s.state.url == "postgresql://db/x"


def test_config_path_from_env(tmp_path: Path) -> None:
    p = _write(tmp_path, ISSUE_SHAPE)
    s = load_settings(None, {**ENV, "SYNCD_CONFIG": str(p)})
    assert "hubspot-main" in s.connectors


def test_errors_name_file_line_and_key(tmp_path: Path) -> None:
    text = ISSUE_SHAPE.replace("schedule: {every: 15m}", "schedule: {every: 15m}\n    colour: red")
    text = text.replace('"*/10 * * * *"', '"*/10 * * *"')
    text = text.replace("url: sqlite", "url: mysql")
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_settings(p, ENV)
    lines = [str(i) for i in exc.value.issues]
    assert f"{p}:2: state.url: must be a sqlite:/// or postgresql:// URL" in lines
    assert f"{p}:10: connectors.hubspot-main.colour: unknown key" in lines
    assert any(
        line.startswith(f"{p}:16: connectors.salesforce-prod.schedule.cron: invalid crontab")
        for line in lines
    ), lines
    assert len(lines) == 3


def test_unset_variable_and_missing_model(tmp_path: Path) -> None:
    text = ISSUE_SHAPE.replace(str(MODEL), str(tmp_path / "missing.yaml"), 1)
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_settings(p, {"SF_PASSWORD": "x"})
    lines = [str(i) for i in exc.value.issues]
    assert lines == [
        f"{p}:7: connectors.hubspot-main.access_token: "
        "environment variable HUBSPOT_TOKEN is not set"
    ]
    with pytest.raises(ConfigError) as exc:
        load_settings(p, ENV)
    assert [str(i) for i in exc.value.issues] == [
        f"{p}:8: connectors.hubspot-main.model: model file not found: {tmp_path / 'missing.yaml'}"
        " (or name a shipped model: b2c-auto-dealer, default, saas)"
    ]


def test_default_and_escape(tmp_path: Path) -> None:
    text = ISSUE_SHAPE.replace("${HUBSPOT_TOKEN}", "$${literal}${NOT_SET:-fallback}")
    s = load_settings(_write(tmp_path, text), {"SF_PASSWORD": "x"})
    hs = s.connectors["hubspot-main"]
    assert isinstance(hs, HubSpotConnectorConfig) and hs.access_token is not None
    assert hs.access_token.get_secret_value() == "${literal}fallback"


def test_auth_union_errors_point_at_auth(tmp_path: Path) -> None:
    text = ISSUE_SHAPE.replace("consumer_key: k, consumer_secret: s", "consumer_key: k")
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_settings(p, ENV)
    assert [str(i) for i in exc.value.issues] == [
        f"{p}:13: connectors.salesforce-prod.auth.consumer_secret: required"
    ]


def test_validate_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    runner = CliRunner()
    good = _write(tmp_path, ISSUE_SHAPE)
    r = runner.invoke(main, ["validate", "--config", str(good)])
    assert r.exit_code == 0, r.output
    assert "config ok" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(ISSUE_SHAPE.replace("15m", "15 parsecs"), encoding="utf-8")
    r = runner.invoke(main, ["validate", "--config", str(bad)])
    assert r.exit_code == 1
    assert f"{bad}:9: connectors.hubspot-main.schedule.every:" in r.output
    assert "Traceback" not in r.output
    assert "pat-secret-123" not in r.output and "sf-secret-456" not in r.output
