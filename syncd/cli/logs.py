"""Readable log lines for the one-shot engine commands (the daemon has its own
JSON logging): warnings and errors of ``syncd.*`` on stderr, with the
record's connector, record id and reason, e.g.

    warning: hubspot-main: write failed 1021: rejected: INVALID_OPTION
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

__all__ = ["setup_cli_logging"]

_FIELDS = ("record_id", "kind", "outcome", "reason", "missing")


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        where = getattr(record, "connector", None)
        head = f"{record.levelname.lower()}: " + (f"{where}: " if where else "")
        extras = [str(getattr(record, f)) for f in _FIELDS if getattr(record, f, None)]
        text = head + record.getMessage() + (" " + ": ".join(extras) if extras else "")
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class _Stderr(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time of each record."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def setup_cli_logging(level: int = logging.WARNING) -> None:
    """Send ``syncd`` warnings to stderr once per process (idempotent; leaves
    logging alone when the application already configured a handler)."""
    logger = logging.getLogger("syncd")
    if logger.handlers or logging.root.handlers:
        return  # ours already, or the application's (the daemon's JSON logs)
    handler = _Stderr()
    handler.setFormatter(_Formatter())
    handler.setLevel(level)
    logger.addHandler(handler)
    logger.setLevel(min(logger.level or level, level))
