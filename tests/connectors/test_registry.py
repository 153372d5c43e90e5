"""The connector registry: the shipped CRMs come from entry points, and a connector
package registered at run time (the toy, through a temporary dist-info) is configured,
validated and built with no edit outside its own package."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import registry
from connectors.base import FatalError
from syncd.cli.wiring import build_connector
from syncd.settings import ConfigError, HubSpotConnectorConfig, load_settings
from tests.connectors.conformance import toy_registered

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "syncd" / "models" / "default.yaml"


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "syncd.yaml"
    path.write_text(f"connectors:\n  one:\n    model: {MODEL}\n{body}", encoding="utf-8")
    return path


def test_shipped_connectors_are_registered_with_options_builder_and_limits() -> None:
    types = registry.available()
    assert {"hubspot", "salesforce"} <= set(types)
    assert types["hubspot"].limits is not None and types["hubspot"].label == "HubSpot"
    assert HubSpotConnectorConfig.__name__ == "HubSpotConnectorConfig"
    with pytest.raises(FatalError, match=r"installed: .*hubspot.*salesforce"):
        registry.lookup("pipedrive")


def test_a_toy_connector_registered_at_run_time_is_configured_and_built(tmp_path: Path) -> None:
    from tests.connectors.toy.connector import CRMS, ToyConnector
    from tests.kit.memory_crm import MemoryCRM

    CRMS["registry-test"] = MemoryCRM()
    path = _config(tmp_path, "    type: toy\n    crm: registry-test\n    page_size: 5\n")
    with toy_registered(tmp_path / "site"):
        settings = load_settings(path, environ={})
        cfg = settings.connectors["one"]
        assert type(cfg).__name__ == "ToyConnectorConfig" and cfg.type == "toy"
        conn = build_connector("one", cfg)
        assert isinstance(conn, ToyConnector) and conn.options.page_size == 5
        with pytest.raises(ConfigError, match=r"one\.page_size"):
            load_settings(
                _config(tmp_path, "    type: toy\n    crm: x\n    page_size: 0\n"), environ={}
            )
    # gone with its package
    with pytest.raises(
        ConfigError,
        match=r"connectors\.one\.type: unknown value, expected one "
        r"of: hubspot, salesforce",
    ):
        load_settings(path, environ={})
