"""A CRM whose error messages echo the access token (and other credentials):
every command prints them masked, and the state store keeps them masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from connectors.base import AccountUpdate, CheckItem, ContactUpdate, FatalError, WriteOutcome
from syncd.cli import main
from syncd.settings import ConnectorConfig
from syncd.state.schema import contacts, runs
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, Clock, write_config

SECRET = "tok-secret-789"
SESSION = "00D5g000004XyZ1!AQ4AQLm.5xk3F_ApbLdEjzxnCe5K0l7w6EqR9bzqLJf3"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeW5jZCJ9.c2lnbmF0dXJlLXBhcnQ"
LEAKS = (SECRET, SESSION, JWT, "hunter2pass")


class EchoingConnector(MemoryConnector):
    """Quotes credentials in every error: refusals, a fatal write error, the check."""

    def _send(self, updates: list[ContactUpdate | AccountUpdate]) -> list[WriteOutcome]:
        self.write_calls += 1
        if self.write_calls > 1:
            raise FatalError(f"401 Unauthorized: Bearer {SECRET} was revoked (sid {SESSION})")
        return [
            WriteOutcome(
                u.id,
                "rejected",
                f"INVALID_FIELD for access_token={SECRET}&password=hunter2pass assertion {JWT}",
            )
            for u in updates
        ]

    def check(self) -> list[CheckItem]:
        return [
            CheckItem(
                "credentials",
                False,
                f"token {SECRET} refused; session {SESSION}",
                f"replace {SECRET}",
            )
        ]


def _invoke(crm: MemoryCRM, *args: str) -> Any:
    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return EchoingConnector(name, crm)

    return CliRunner().invoke(
        main,
        list(args),
        obj={"factory": factory, "clock": Clock()},
        env={"MEM_TOKEN": SECRET},
        catch_exceptions=False,
    )


def test_every_command_prints_credentials_masked_and_stores_them_masked(tmp_path: Path) -> None:
    crm = MemoryCRM()
    seed(crm)
    db = tmp_path / "state.db"
    config = str(write_config(tmp_path, f"sqlite:///{db}"))
    outputs = {
        "run --once": _invoke(crm, "run", "--once", "--config", config),
        "status": _invoke(crm, "status", "--config", config),
        "status --json": _invoke(crm, "status", "--json", "--config", config),
        "check": _invoke(crm, "check", "--config", config),
    }
    assert outputs["run --once"].exit_code == 1  # the cycle failed, loudly but masked
    for command, result in outputs.items():
        for leak in LEAKS:
            assert leak not in result.output, (command, leak, result.output)
        assert "***" in result.output, (command, result.output)
    last = json.loads(outputs["status --json"].output)["connectors"][0]["last_run"]
    assert last["status"] == "failed" and last["error"].startswith("401 Unauthorized: Bearer ***")
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        stored = [
            *conn.execute(sa.select(runs.c.error, runs.c.report)).all(),
            *conn.execute(
                sa.select(contacts.c.last_error).where(contacts.c.last_error.is_not(None))
            ).all(),
        ]
    engine.dispose()
    texts = [t for row in stored for t in row if t]
    assert len(texts) > 2 and any("***" in t for t in texts)
    for text in texts:
        assert not any(leak in text for leak in LEAKS), text
    assert NAME in outputs["status"].output
