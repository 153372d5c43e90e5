"""Relative paths are relative to the config file, and the read-only commands
(`status`, `explain`, `export`) find the same state from any directory and
never create one: without state they say "no state at URL" and exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from syncd.cli import main
from syncd.cli.exit_codes import ExitCode
from syncd.settings import ConnectorConfig
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, Clock

READ_ONLY = (
    ["status"],
    ["status", "--json"],
    ["explain", "--connector", NAME, "003A1"],
    ["export", "--connector", NAME],
    ["report"],
    ["report", "--json"],
    ["runs"],
    ["runs", "--json"],
)


def _config(folder: Path, url: str = "sqlite:///syncd.db") -> Path:
    """A config using only relative paths: the state file and a model beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models").mkdir(exist_ok=True)
    (folder / "models" / "mine.yaml").write_text(
        (Path(__file__).resolve().parents[2] / "syncd" / "models" / "default.yaml").read_text(
            encoding="utf-8"
        ),
        encoding="utf-8",
    )
    (folder / "models" / "priority-accounts.csv").write_text("domain\nacme.io\n", encoding="utf-8")
    p = folder / "syncd.yaml"
    p.write_text(
        f"""\
state:
  url: "{url}"
connectors:
  {NAME}:
    type: hubspot
    access_token: tok
    model: models/mine.yaml
""",
        encoding="utf-8",
    )
    return p


def _invoke(crm: MemoryCRM, *args: str) -> Any:
    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return MemoryConnector(name, crm)

    return CliRunner().invoke(
        main, list(args), obj={"factory": factory, "clock": Clock()}, catch_exceptions=False
    )


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_commands_from_another_directory_find_the_same_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm = MemoryCRM()
    seed(crm)
    config = _config(tmp_path / "etc")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    r = _invoke(crm, "run", "--once", "--config", "../etc/syncd.yaml")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "etc" / "syncd.db").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    r = _invoke(crm, "status", "--json", "--config", str(config))
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["connectors"][0]["contacts"] == len(crm.contacts)
    r = _invoke(crm, "explain", "--connector", NAME, "003A1", "--config", str(config))
    assert r.exit_code == 0, r.output
    assert "title.exec" in r.output
    r = _invoke(crm, "export", "--connector", NAME, "--config", str(config))
    assert r.exit_code == 0, r.output
    assert len(r.output.splitlines()) == len(crm.contacts)
    r = _invoke(crm, "runs", "--json", "--config", str(config))
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.output)["runs"]) == 1
    r = _invoke(crm, "report", "--json", "--config", str(config))
    assert r.exit_code == 0, r.output
    assert str(len(crm.contacts)) in r.output
    assert not any(elsewhere.iterdir())


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a))
def test_read_only_commands_create_no_state(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path / "etc")
    monkeypatch.chdir(tmp_path)
    before = _files(tmp_path)
    r = _invoke(MemoryCRM(), *args, "--config", str(config))
    assert r.exit_code == ExitCode.UNUSABLE
    db = tmp_path / "etc" / "syncd.db"
    assert r.output == (
        f"no state at sqlite:///{db}: no cycle has run with this config yet "
        "(`syncd run --once` runs one)\n"
    )
    assert _files(tmp_path) == before


def test_a_config_without_state_url_reads_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path / "etc")
    config.write_text(
        config.read_text(encoding="utf-8").replace('state:\n  url: "sqlite:///syncd.db"\n', ""),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    r = _invoke(MemoryCRM(), "status", "--config", str(config))
    assert r.exit_code == ExitCode.UNUSABLE
    assert r.output.startswith(f"no state at sqlite:///{tmp_path / 'syncd-state.db'}:")
    assert not (tmp_path / "syncd-state.db").exists()


def test_postgresql_without_syncd_tables_is_no_state(pg_server: Any, tmp_path: Path) -> None:
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE readonly_empty")
    url = str(pg_server.get_uri(database="readonly_empty", driver="psycopg"))
    config = _config(tmp_path / "etc", url)
    r = _invoke(MemoryCRM(), "status", "--config", str(config))
    assert r.exit_code == ExitCode.UNUSABLE
    assert r.output.startswith("no state at postgresql+psycopg://")
    with psycopg.connect(pg_server.get_uri(database="readonly_empty"), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)
