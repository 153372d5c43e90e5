"""`syncd report` before anything was synced: every section renders, empty."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from syncd.cli import main
from syncd.settings import ConnectorConfig
from syncd.state import Store
from tests.kit.memory_crm import MemoryConnector
from tests.sync.helpers import NAME, Clock, write_config


def test_report_of_an_empty_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    config = write_config(tmp_path, url)
    Store.open(url).close()  # a state store with no cycle run yet (`syncd setup` made it)

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        raise AssertionError("the report must not build a connector")

    obj = {"factory": factory, "clock": Clock()}
    out = tmp_path / "empty.html"
    r = CliRunner().invoke(main, ["report", "--html", str(out), "--config", str(config)], obj=obj)
    assert r.exit_code == 0, r.output
    assert "mem (hubspot)  model ?  0 contacts" in r.output
    assert "nothing synced yet (`syncd run --once` runs a first cycle)" in r.output
    text = out.read_text(encoding="utf-8")
    assert text.count("<svg") == 3 and "no runs" in text
    r = CliRunner().invoke(
        main, ["report", "--json", "--since", "2026-11-01", "--config", str(config)], obj=obj
    )
    data = json.loads(r.output)["connectors"][0]
    assert data["connector"] == NAME and data["contacts"] == 0 and data["runs"] == []
    # every ISO week from --since's (Sunday 1 November) to now's (Monday 23), all empty
    assert [(w["week"], w["mqls"]) for w in data["mql_weeks"]] == [
        ("2026-10-26", 0),
        ("2026-11-02", 0),
        ("2026-11-09", 0),
        ("2026-11-16", 0),
        ("2026-11-23", 0),
    ]
