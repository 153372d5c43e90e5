"""A reload teaches the log redactor the new config's secrets, without ever
leaving the log handler without one; the old secrets stay masked too."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.cli.serve import LogMasking
from syncd.daemon.logs import unconfigure_logging
from syncd.settings import Settings, load_settings
from tests.kit.seed import MODEL

OLD = "tok-old-secret-1111"
NEW = "tok-new-secret-2222"


def _settings(tmp_path: Path, token: str) -> Settings:
    path = tmp_path / f"{token}.yaml"
    path.write_text(
        f"""\
daemon:
  log_format: json
connectors:
  hs:
    type: hubspot
    access_token: {token}
    model: {MODEL}
""",
        encoding="utf-8",
    )
    return load_settings(path, {})


@pytest.fixture()
def _restore_logging() -> Iterator[None]:
    yield
    unconfigure_logging()


@pytest.mark.usefixtures("_restore_logging")
def test_a_reload_masks_the_new_secrets_and_still_the_old(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    masking = LogMasking(_settings(tmp_path, OLD))
    log = logging.getLogger("syncd.test")
    log.warning("before: %s %s", OLD, NEW)
    masking.learn(_settings(tmp_path, NEW))
    log.warning("after: %s %s", OLD, NEW)
    lines = capsys.readouterr().out.splitlines()  # the daemon logs to stdout
    before, after = (json.loads(line)["message"] for line in lines)
    assert before == f"before: *** {NEW}"
    assert after == "after: *** ***"
    assert masking.text(f"{OLD}/{NEW}") == "***/***"
