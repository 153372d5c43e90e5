"""Config errors in syncd's words, on the offending key's own line, with a
"did you mean"; enumeration values in any case; shipped models by name;
bounds that keep a config from losing data, each with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.cli import main
from syncd.modelfile import SHIPPED_DIR
from syncd.settings import (
    ConfigError,
    DaemonSettings,
    HubSpotConnectorConfig,
    SalesforceConnectorConfig,
    load_settings,
)

HUBSPOT = """\
connectors:
  hubspot-main:
    type: hubspot
    access_token: tok
    model: default
"""


def _config(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "syncd.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _issues(tmp_path: Path, text: str) -> list[str]:
    p = _config(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_settings(p, {})
    return [str(i).removeprefix(f"{p}:") for i in exc.value.issues]


def test_unknown_keys_get_a_did_you_mean(tmp_path: Path) -> None:
    text = HUBSPOT + "    lookbak: 5m\n    schedule: {evry: 5m}\ndeamon: {port: 1}\n"
    assert _issues(tmp_path, text) == [
        "6: connectors.hubspot-main.lookbak: unknown key (did you mean lookback?)",
        "7: connectors.hubspot-main.schedule.every: required",
        "7: connectors.hubspot-main.schedule.evry: unknown key (did you mean every?)",
        "8: deamon: unknown key (did you mean daemon?)",
    ]


def test_messages_are_in_our_words(tmp_path: Path) -> None:
    text = HUBSPOT + "    schedule: 15m\n    budget_share: 0\n    score_chunk: lots\n"
    issues = _issues(tmp_path, text)
    assert issues == [
        '6: connectors.hubspot-main.schedule: must be {every: 15m} or {cron: "*/15 * * * *"}',
        "7: connectors.hubspot-main.budget_share: must be more than 0: it is the share of the "
        "daily API allowance syncd may spend",
        "8: connectors.hubspot-main.score_chunk: must be a whole number",
    ]
    assert not any("instance of" in i or "Input should" in i for i in issues)


def test_a_check_of_several_keys_points_at_the_key_it_names(tmp_path: Path) -> None:
    text = HUBSPOT + (
        "    tier: pro\n    oauth: {client_id: c, client_secret: s, refresh_token: r}\n"
    )
    assert _issues(tmp_path, text) == [
        "4: connectors.hubspot-main.access_token: set exactly one of service_key (HubSpot service "
        "key), access_token (legacy private app) or oauth"
    ]
    text = """\
connectors:
  sf:
    type: salesforce
    model: default
    auth: {flow: password, username: u, password: p, consumer_key: k, consumer_secret: s}
    instance_url: http://sf.example.com
"""
    assert _issues(tmp_path, text) == [
        "6: connectors.sf.instance_url: http://sf.example.com: plain http is allowed only for "
        "loopback hosts; use https://sf.example.com"
    ]


def test_enumeration_values_match_in_any_case(tmp_path: Path) -> None:
    text = (
        HUBSPOT.replace("type: hubspot", "type: HubSpot") + "    tier: Pro\n"
        "daemon: {log_format: JSON}\n"
    )
    s = load_settings(_config(tmp_path, text), {})
    hs = s.connectors["hubspot-main"]
    assert isinstance(hs, HubSpotConnectorConfig) and hs.tier == "pro"
    assert s.daemon.log_format == "json"


def test_shipped_models_by_name_and_files_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "mine.yaml").write_text(
        (SHIPPED_DIR / "saas.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "key.pem").write_text("k", encoding="utf-8")
    text = (
        HUBSPOT
        + """\
  sf:
    type: salesforce
    model: models/mine.yaml
    auth: {flow: jwt, username: u, consumer_key: k, private_key_file: key.pem}
state:
  url: sqlite:///db/state.db
"""
    )
    s = load_settings(_config(tmp_path, text), {})
    assert s.connectors["hubspot-main"].model == SHIPPED_DIR / "default.yaml"
    sf = s.connectors["sf"]
    assert isinstance(sf, SalesforceConnectorConfig)
    assert sf.model == tmp_path / "models" / "mine.yaml"
    assert sf.auth.private_key_file == tmp_path / "key.pem"  # type: ignore[union-attr]
    assert s.state.url == f"sqlite:///{tmp_path / 'db' / 'state.db'}"
    assert _issues(tmp_path, HUBSPOT.replace("model: default", "model: defualt")) == [
        f"5: connectors.hubspot-main.model: model file not found: {tmp_path / 'defualt'} "
        "(did you mean default, the shipped model?)"
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "lookback",
            "-10m",
            "must not be negative: a negative lookback starts reading after the "
            "stored cursor, so changes made just before it are never synced",
        ),
        (
            "lookback",
            "-PT10M",
            "must not be negative: a negative lookback starts reading after the "
            "stored cursor, so changes made just before it are never synced",
        ),
        ("lookback", "2d", "must be at most 1d: it is re-read on every cycle"),
        (
            "safety_lag",
            "-1m",
            "must not be negative: a negative lag reads past now, so changes made "
            "meanwhile are skipped",
        ),
        ("timeout", "0s", "must be more than 0: a call needs some time to answer"),
        ("timeout", "1h", "must be at most 10m: a stalled call would hold the cycle that long"),
        (
            "budget_share",
            "1.5",
            "must be at most 1: it is the share of the daily API allowance syncd may spend",
        ),
    ],
)
def test_connector_bounds(tmp_path: Path, key: str, value: str, message: str) -> None:
    assert _issues(tmp_path, HUBSPOT + f"    {key}: {value}\n") == [
        f"6: connectors.hubspot-main.{key}: {message}"
    ]


def test_state_and_daemon_bounds(tmp_path: Path) -> None:
    text = "state: {lock_lease: 0s}\ndaemon:\n  misfire_grace: -5m\n"
    assert _issues(tmp_path, text) == [
        "1: state.lock_lease: must be at least 10s: a shorter lease can run out between two "
        "heartbeats, and another process would sync the same connector",
        "3: daemon.misfire_grace: must be at least 1s: a scheduled run must be allowed to "
        "start late a little",
    ]
    assert DaemonSettings().misfire_grace.total_seconds() == 300


def test_validate_refuses_a_negative_lookback(tmp_path: Path) -> None:
    p = _config(tmp_path, HUBSPOT + "    lookback: -10m\n")
    r = CliRunner().invoke(main, ["validate", "--config", str(p)])
    assert r.exit_code == 1
    assert r.output == (
        f"{p}:6: connectors.hubspot-main.lookback: must not be negative: a negative lookback "
        "starts reading after the stored cursor, so changes made just before it are never "
        "synced\nconfig not usable (1 error(s))\n"
    )
