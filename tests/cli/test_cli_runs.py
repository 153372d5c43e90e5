"""`syncd runs`: the run history of a two-cycle sync over the in-memory CRM."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from syncd.cli import main
from syncd.settings import ConnectorConfig
from syncd.state import Store
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, NOW, Clock, write_config


def _invoke(
    crm: MemoryCRM, config: Path, *args: str, fail: bool = False, minutes: int = 0
) -> Result:
    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return MemoryConnector(name, crm, fail_at_page=1 if fail else None)

    obj: dict[str, Any] = {"factory": factory, "clock": Clock(NOW + timedelta(minutes=minutes))}
    return CliRunner().invoke(main, [*args, "--config", str(config)], obj=obj)


def test_runs_lists_both_runs_of_two_cycles(tmp_path: Path) -> None:
    crm = MemoryCRM()
    seed(crm)
    url = f"sqlite:///{tmp_path / 'state.db'}"
    config = write_config(tmp_path, url)
    assert _invoke(crm, config, "runs").output.startswith("no state at ")
    Store.open(url).close()  # a state store with no cycle run yet
    assert _invoke(crm, config, "runs").output == "no runs recorded yet\n"
    for minutes in (0, 15):
        assert _invoke(crm, config, "run", "--once", minutes=minutes).exit_code == 0
    result = _invoke(crm, config, "runs", "--json")
    assert result.exit_code == 0, result.output
    history = json.loads(result.output)["runs"]
    assert len(history) == 2 and all(r["status"] == "ok" for r in history)
    first = history[1]  # newest first
    assert first["connector"] == NAME and first["kind"] == "incremental"
    assert first["pulled"] == len(crm.contacts) and first["written"] > 0
    assert first["seconds"] == 0.0 and first["error"] is None  # the test clock stands still
    assert sum(first["api_calls"].values()) > 0
    assert history[0]["written"] == 0
    assert set(first) >= {"run_id", "started_at", "finished_at", "scored", "drift", "dead"}

    table = _invoke(crm, config, "runs").output
    rows = [line.split() for line in table.splitlines() if " ok " in line]
    assert [row[2:] for row in rows] == [
        ["incremental", "ok", "0.0", f"{len(crm.contacts)}/0/0", "0/0", "13"],
        [
            "incremental",
            "ok",
            "0.0",
            f"{len(crm.contacts)}/{first['scored']}/{first['written']}",
            "0/0",
            str(sum(first["api_calls"].values())),
        ],
    ]
    header = next(x for x in table.splitlines() if x.startswith("started"))
    assert header.split()[-1] == "calls" and max(len(x) for x in table.splitlines()) <= 80
    assert (
        len(json.loads(_invoke(crm, config, "runs", "--json", "--last", "1").output)["runs"]) == 1
    )


def test_runs_shows_a_failed_run_with_its_error(tmp_path: Path) -> None:
    crm = MemoryCRM()
    seed(crm)
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    assert _invoke(crm, config, "run", "--once", fail=True).exit_code == 1
    history = json.loads(_invoke(crm, config, "runs", "--json").output)["runs"]
    assert [r["status"] for r in history] == ["failed"] and history[0]["error"]
    table = _invoke(crm, config, "runs", "--connector", NAME).output
    assert f"{NAME}: failed: {history[0]['error']}" in " ".join(table.split())
    bad = _invoke(crm, config, "runs", "--connector", "nope")
    assert bad.exit_code == 1 and "unknown connector 'nope'" in bad.output
