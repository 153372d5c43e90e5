"""Log lines: JSON shape, the terminal format, secrets masked everywhere."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import BaseModel, SecretStr

from syncd.daemon.logs import (
    JsonFormatter,
    Redactor,
    TextFormatter,
    collect_secrets,
    configure_logging,
    unconfigure_logging,
)

TOKEN = "pat-na1-7f3c9e0d-secret"
PASSWORD = 'p"ss\\word'


@pytest.fixture()
def logger() -> Iterator[logging.Logger]:
    lg = logging.getLogger("tests.daemon.logs")
    lg.propagate = False
    lg.setLevel(logging.DEBUG)
    yield lg
    for handler in list(lg.handlers):
        lg.removeHandler(handler)


def _capture(lg: logging.Logger, formatter: logging.Formatter) -> io.StringIO:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    lg.addHandler(handler)
    return out


def test_json_line_has_the_fields_and_extras(logger: logging.Logger) -> None:
    out = _capture(logger, JsonFormatter(Redactor([])))
    logger.info(
        "pulled %d records",
        42,
        extra={"connector": "hubspot-main", "run_id": "r9", "event": "page", "pulled": 42},
    )
    line = json.loads(out.getvalue())
    assert line["level"] == "info" and line["logger"] == "tests.daemon.logs"
    assert line["message"] == "pulled 42 records"
    assert (line["connector"], line["run_id"], line["event"], line["pulled"]) == (
        "hubspot-main",
        "r9",
        "page",
        42,
    )
    assert line["timestamp"].endswith("+00:00")


def test_secrets_are_masked_in_message_extras_and_tracebacks(logger: logging.Logger) -> None:
    out = _capture(logger, JsonFormatter(Redactor([TOKEN, PASSWORD])))
    try:
        raise RuntimeError(f"auth failed with {TOKEN}")
    except RuntimeError:
        logger.exception(
            "token %s refused",
            TOKEN,
            extra={
                "headers": {"Authorization": f"Bearer {TOKEN}"},
                "attempts": [PASSWORD],
                "event": "auth",
            },
        )
    raw = out.getvalue()
    assert TOKEN not in raw and "ss\\\\word" not in raw
    line = json.loads(raw)
    assert line["message"] == "token *** refused"
    assert line["headers"] == {"Authorization": "Bearer ***"}
    assert line["attempts"] == ["***"]
    assert "auth failed with ***" in line["exception"]


def test_secret_already_json_escaped_is_masked() -> None:
    redactor = Redactor([PASSWORD])
    assert redactor.text(json.dumps({"p": PASSWORD})) == '{"p": "***"}'


def test_short_values_are_not_masked() -> None:
    assert Redactor(["abc"]).text("abcdef") == "abcdef"
    assert not Redactor(["", "ab"])


def test_text_format_for_a_terminal(logger: logging.Logger) -> None:
    out = _capture(logger, TextFormatter(Redactor([TOKEN])))
    logger.warning(
        "cycle failed: %s",
        f"401 for {TOKEN}",
        extra={"connector": "sf", "event": "job_done", "run_id": "x", "written": 0},
    )
    text = out.getvalue()
    assert "warning" in text and "[sf] job_done: cycle failed: 401 for ***" in text
    assert "written=0" in text and "run_id" not in text and TOKEN not in text


class _Auth(BaseModel):
    password: SecretStr
    user: str


class _Settings(BaseModel):
    token: SecretStr
    auths: list[_Auth]
    more: dict[str, SecretStr]


def test_collect_secrets_walks_nested_settings() -> None:
    settings = _Settings(
        token=SecretStr(TOKEN),
        auths=[_Auth(password=SecretStr("pw-1234"), user="u")],
        more={"k": SecretStr("other-secret"), "empty": SecretStr("")},
    )
    assert collect_secrets(settings) == {TOKEN, "pw-1234", "other-secret"}


def test_configure_logging_chooses_json_off_a_terminal_and_replaces_only_itself() -> None:
    first, second = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        configure_logging([TOKEN], stream=first)
        configure_logging([TOKEN], stream=second)
        logging.getLogger("syncd.sync").info("hello %s", TOKEN, extra={"event": "x"})
        assert [h for h in root.handlers if h not in before] != []
        assert all(h in root.handlers for h in before)  # others' handlers stay
    finally:
        unconfigure_logging()
        root.setLevel(level)
    assert first.getvalue() == ""
    assert json.loads(second.getvalue())["message"] == "hello ***"
    assert root.handlers == before


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_configure_logging_is_readable_on_a_terminal() -> None:
    out = _Terminal()
    root = logging.getLogger()
    level = root.level
    try:
        configure_logging([TOKEN], stream=out)
        logging.getLogger("syncd.daemon").info("syncd started", extra={"event": "daemon_started"})
    finally:
        unconfigure_logging()
        root.setLevel(level)
    line = out.getvalue()
    assert "info    daemon_started: syncd started" in line and not line.startswith("{")
