"""Log lines for a service: one JSON object per line on stdout, or a readable
line when stdout is a terminal; every configured secret masked either way.

A JSON line carries ``timestamp`` (UTC, ISO-8601), ``level``, ``logger``,
``message`` and every ``extra`` field the caller passed (``connector``,
``run_id``, ``event`` and counts by convention). ``Redactor`` (``syncd.redact``,
the one redaction layer of every output) is the last line of defence: whatever
a caller logged, a configured secret value or anything credential-shaped is
replaced by ``***`` before the line is written (in the message, in extra fields
at any depth, in tracebacks).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from syncd.redact import MASK, MIN_SECRET_LENGTH, Redactor, collect_secrets

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "JsonFormatter",
    "LogFormat",
    "Redactor",
    "TextFormatter",
    "collect_secrets",
    "configure_logging",
    "unconfigure_logging",
]

_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
}

LogFormat = Literal["auto", "json", "text"]
_MARK = "syncd_handler"


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {
        k: v
        for k, v in record.__dict__.items()
        if k not in _RECORD_FIELDS and not k.startswith("_")
    }


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, secrets masked before serialisation."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _extras(record).items():
            line.setdefault(key, value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(self.redactor.value(line), ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``HH:MM:SS level [connector] event: message key=value …`` for a terminal."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        extras = _extras(record)
        connector = extras.pop("connector", None)
        event = extras.pop("event", None)
        extras.pop("run_id", None)
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        parts = [stamp, f"{record.levelname.lower():7}"]
        if connector:
            parts.append(f"[{connector}]")
        if event:
            parts.append(f"{event}:")
        parts.append(record.getMessage())
        parts.extend(f"{k}={v}" for k, v in extras.items())
        text = " ".join(parts)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return self.redactor.text(text)


def configure_logging(
    secrets: Iterable[str],
    *,
    fmt: LogFormat = "auto",
    stream: TextIO | None = None,
    level: int = logging.INFO,
) -> Redactor:
    """Send every log record to ``stream`` (stdout) in ``fmt`` (JSON unless
    ``auto`` finds a terminal), replacing the handler an earlier call installed
    (other handlers stay). Returns the redactor so other output (HTTP answers)
    can use it too."""
    out = stream if stream is not None else sys.stdout
    redactor = Redactor(secrets)
    if fmt == "auto":
        fmt = "text" if out.isatty() else "json"
    handler = logging.StreamHandler(out)
    handler.setFormatter(TextFormatter(redactor) if fmt == "text" else JsonFormatter(redactor))
    setattr(handler, _MARK, True)
    unconfigure_logging()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries' chatter (APScheduler's "Running job…", urllib3's retries) stays at WARNING.
    for noisy in ("apscheduler", "urllib3", "simple_salesforce", "hubspot", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The daemon's listener reports job errors, missed and skipped runs itself, with
    # the connector's name; APScheduler's own lines about them would repeat it.
    logging.getLogger("apscheduler.executors").setLevel(logging.CRITICAL)
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    return redactor


def unconfigure_logging() -> None:
    """Remove the handler ``configure_logging`` installed, if any."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
