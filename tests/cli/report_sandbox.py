"""A fake Salesforce org with generated contacts, synced by `syncd setup` and
two `syncd run --once` through the CLI (real connector, skipping clock): the
state behind the report and run-history tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from syncd.cli import main
from syncd.cli.demo_fakes import NAMES, Fake, SkipClock, config_text, connector_factory
from syncd.sandbox.generator import generate
from syncd.sandbox.salesforce import SalesforceSandbox
from syncd.sandbox.server import SandboxServer
from tests.kit.seed import MODEL

CONNECTOR = NAMES["salesforce"]


@dataclass(frozen=True)
class Synced:
    config: Path
    state: Path
    obj: dict[str, Any]

    def invoke(self, *args: str) -> Result:
        return CliRunner().invoke(main, [*args, "--config", str(self.config)], obj=self.obj)


@contextmanager
def synced_sandbox(tmp: Path, contacts: int, cycles: int = 2) -> Iterator[Synced]:
    """The org seeded with ``contacts``, after `setup` and ``cycles`` cycles."""
    clock = SkipClock()
    data = generate(7, contacts, datetime.now(UTC) - timedelta(minutes=10))
    app = SalesforceSandbox(data, clock=clock, sleep=clock.sleep)
    with SandboxServer(app) as server:
        fake = Fake("salesforce", CONNECTOR, app, server.url)
        config = tmp / "syncd.yaml"
        state = tmp / "state.db"
        config.write_text(config_text(state, MODEL.resolve(), [fake]), encoding="utf-8")
        synced = Synced(config, state, {"factory": connector_factory(clock)})
        for args in [("setup", "--connector", CONNECTOR)] + [("run", "--once")] * cycles:
            result = synced.invoke(*args)
            assert result.exit_code == 0, result.output
        yield synced
