"""`syncd run --once` while another process syncs the connector: the connector
is reported as skipped (held elsewhere), nothing is read, and the exit status
says the cycle did not run."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from syncd.cli import main
from syncd.settings import ConnectorConfig, load_settings
from syncd.state import Store
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, NOW, Clock, write_config


def test_run_once_skips_a_connector_held_elsewhere(tmp_path: Path) -> None:
    crm = MemoryCRM()
    seed(crm)
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    other = Store.open(load_settings(config, {}).state.url)

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return MemoryConnector(name, crm)

    with other.lock(NAME, "another-host:1", lambda: NOW):
        r = CliRunner().invoke(
            main,
            ["run", "--once", "--config", str(config)],
            obj={"factory": factory, "clock": Clock()},
            catch_exceptions=False,
        )
    other.close()
    assert r.exit_code == 1
    assert f"{NAME}: skipped: held elsewhere" in r.output
    assert crm.calls["read"] == 0
