"""One environment-override rule: any key, SYNCD_ + the key path with __,
connector names with - and _ alike; unknown variables warn, bad values name
the variable."""

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

CONFIG = """\
state:
  url: sqlite:///state.db
connectors:
  hubspot-main:
    type: hubspot
    access_token: from-file
    model: default
  salesforce-prod:
    type: salesforce
    instance_url: http://127.0.0.1:8082
    auth: {flow: password, username: u, password: pw, consumer_key: k, consumer_secret: s}
    model: default
"""


def _config(tmp_path: Path, text: str = CONFIG) -> Path:
    p = tmp_path / "syncd.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _issues(path: Path, env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_settings(path, env)
    return [str(i) for i in exc.value.issues]


def test_a_connector_named_with_a_dash_is_overridden_through_underscores(tmp_path: Path) -> None:
    s = load_settings(
        _config(tmp_path),
        {
            "SYNCD_CONNECTORS__HUBSPOT_MAIN__ACCESS_TOKEN": "from-env",
            "SYNCD_CONNECTORS__SALESFORCE_PROD__AUTH__PASSWORD": "sf-env",
            "SYNCD_CONNECTORS__HUBSPOT_MAIN__SCHEDULE": '{cron: "*/5 * * * *"}',
        },
    )
    assert set(s.connectors) == {"hubspot-main", "salesforce-prod"}  # no phantom hubspot_main
    hs = s.connectors["hubspot-main"]
    sf = s.connectors["salesforce-prod"]
    assert isinstance(hs, HubSpotConnectorConfig) and hs.access_token is not None
    assert hs.access_token.get_secret_value() == "from-env"
    assert isinstance(hs.schedule, CronSchedule) and hs.schedule.cron == "*/5 * * * *"
    assert isinstance(sf, SalesforceConnectorConfig)
    assert sf.auth.password.get_secret_value() == "sf-env"  # type: ignore[union-attr]
    assert s.warnings == []


def test_any_key_can_be_overridden(tmp_path: Path) -> None:
    s = load_settings(
        _config(tmp_path),
        {
            "SYNCD_DAEMON__PORT": "9999",
            "SYNCD_STATE__LOCK_LEASE": "5m",
            "SYNCD_CONNECTORS__HUBSPOT_MAIN__LOOKBACK": "1m",
            "SYNCD_CONNECTORS__HUBSPOT_MAIN__FIELD_MAP__TITLE": "jobtitle",
        },
    )
    assert s.daemon.port == 9999 and s.state.lock_lease.total_seconds() == 300
    hs = s.connectors["hubspot-main"]
    assert isinstance(hs, HubSpotConnectorConfig)
    assert hs.lookback.total_seconds() == 60 and hs.field_map == {"title": "jobtitle"}


def test_a_variable_matching_two_connectors_is_an_error(tmp_path: Path) -> None:
    text = CONFIG + "  hubspot_main:\n    type: hubspot\n    access_token: t\n    model: default\n"
    assert _issues(
        _config(tmp_path, text), {"SYNCD_CONNECTORS__HUBSPOT_MAIN__ACCESS_TOKEN": "x"}
    ) == [
        "SYNCD_CONNECTORS__HUBSPOT_MAIN__ACCESS_TOKEN: matches hubspot-main and hubspot_main "
        "(in a variable, - and _ are the same); rename one of them"
    ]


def test_an_unknown_variable_is_a_warning_naming_it(tmp_path: Path) -> None:
    s = load_settings(
        _config(tmp_path),
        {
            "SYNCD_DEAMON__PORT": "1234",
            "SYNCD_CONNECTORS__HUBSPOT_MIAN__TIER": "pro",
            "SYNCD_STATE__URLL": "x",
            "SYNCD_CONNECTORS__HUBSPOT_MAIN__SCHEDULE__EVRY": "5m",
        },
    )
    assert s.daemon.port == 9464
    hs = s.connectors["hubspot-main"]
    assert isinstance(hs.schedule, EverySchedule)  # the default: nothing was set
    assert hs.schedule.every.total_seconds() == 900
    assert [str(w) for w in s.warnings] == [
        "SYNCD_CONNECTORS__HUBSPOT_MAIN__SCHEDULE__EVRY: unknown key 'evry', ignored; did you "
        "mean SYNCD_CONNECTORS__HUBSPOT_MAIN__SCHEDULE__EVERY?",
        "SYNCD_CONNECTORS__HUBSPOT_MIAN__TIER: no connectors entry 'hubspot_mian' in the "
        "config, ignored; did you mean SYNCD_CONNECTORS__HUBSPOT_MAIN__TIER?",
        "SYNCD_DEAMON__PORT: unknown key 'deamon', ignored; did you mean SYNCD_DAEMON__PORT?",
        "SYNCD_STATE__URLL: unknown key 'urll', ignored; did you mean SYNCD_STATE__URL?",
    ]


def test_the_cli_prints_the_warning(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        main, ["validate", "--config", str(_config(tmp_path))], env={"SYNCD_DEAMON__PORT": "1234"}
    )
    assert r.exit_code == 0, r.output
    assert (
        "warning: SYNCD_DEAMON__PORT: unknown key 'deamon', ignored; did you mean "
        "SYNCD_DAEMON__PORT?\n"
    ) in r.output


def test_an_error_in_an_environment_value_names_the_variable(tmp_path: Path) -> None:
    assert _issues(
        _config(tmp_path),
        {
            "SYNCD_DAEMON__PORT": "nine",
            "SYNCD_CONNECTORS__HUBSPOT_MAIN__LOOKBACK": "-5m",
            "SYNCD_CONNECTORS__HUBSPOT_MAIN__TIER": "enterprise",
            "SYNCD_CONNECTORS__HUBSPOT_MAIN__SCHEDULE": "{every: 5m",
        },
    ) == [
        "SYNCD_CONNECTORS__HUBSPOT_MAIN__SCHEDULE: not a valid YAML mapping or list "
        "(write it as in the file: {key: value} or [a, b])",
        "SYNCD_DAEMON__PORT: daemon.port: must be a whole number",
        "SYNCD_CONNECTORS__HUBSPOT_MAIN__TIER: connectors.hubspot-main.tier: must be one of: "
        "free, pro",
        "SYNCD_CONNECTORS__HUBSPOT_MAIN__LOOKBACK: connectors.hubspot-main.lookback: must not "
        "be negative: a negative lookback starts reading after the stored cursor, so changes "
        "made just before it are never synced",
    ]


def test_config_variable_is_not_an_override(tmp_path: Path) -> None:
    p = _config(tmp_path)
    s = load_settings(None, {"SYNCD_CONFIG": str(p)})
    assert s.warnings == [] and "hubspot-main" in s.connectors
