"""Opening the state store at start-up, riding out a store that is not up yet.

A failure to open the store is either *transient*: worth retrying, and
reported with ``ExitCode.TEMPFAIL`` (75) when it persists, so that a
supervisor (systemd, Docker, Kubernetes) starts syncd again later; or
*permanent* (a malformed URL, a missing driver, a SQLite file that cannot be
opened, a failed migration): retrying cannot help, and the command exits
``ExitCode.UNUSABLE`` (2) at once.

Transient: every failure to connect to PostgreSQL (server down, starting up,
refusing connections; also a database not created yet or a password not yet
rotated in: libpq gives no error code for a failed connection, and these may
pass too), and a SQLite file that is busy or locked. The decision uses
exception types and SQLite result codes, never message text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import exc as sa_exc

__all__ = ["StartupRetry", "StateUnavailable", "is_transient", "open_with_retry"]

log = logging.getLogger("syncd.daemon")

T = TypeVar("T")

#: SQLite result codes worth a retry: SQLITE_BUSY, SQLITE_LOCKED.
TRANSIENT_SQLITE_CODES = frozenset({5, 6})


def is_transient(exc: BaseException) -> bool:
    """Whether a failure to open the state store may pass by itself."""
    if isinstance(exc, sa_exc.DBAPIError):
        if not isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            return False
        orig = exc.orig
        sqlite_code = getattr(orig, "sqlite_errorcode", None)
        if sqlite_code is not None:
            return (int(sqlite_code) & 0xFF) in TRANSIENT_SQLITE_CODES
        return True
    return isinstance(
        exc, sa_exc.DisconnectionError | sa_exc.TimeoutError | ConnectionError | TimeoutError
    )


class StateUnavailable(Exception):
    """The state store stayed unreachable for the whole retry window; the
    message names the last error (never a password)."""

    def __init__(self, cause: BaseException, attempts: int) -> None:
        self.cause = cause
        self.attempts = attempts
        super().__init__(describe(cause))


@dataclass(frozen=True, slots=True)
class StartupRetry:
    """How long start-up waits for a state store that is not reachable yet:
    attempts ``first_delay`` apart, doubling up to ``max_delay``, until
    ``give_up_after`` seconds have passed. ``sleep`` and ``clock`` (monotonic
    seconds) are injected in tests."""

    give_up_after: float = 60.0
    first_delay: float = 1.0
    max_delay: float = 15.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def delays(self) -> Iterator[float]:
        """The waits between attempts, the last one cut to the window's end."""
        start = self.clock()
        delay = self.first_delay
        while True:
            left = self.give_up_after - (self.clock() - start)
            if left <= 0:
                return
            yield min(delay, left)
            delay = min(delay * 2, self.max_delay)


#: Open once: a transient failure is reported at once (``StateUnavailable``).
NO_RETRY = StartupRetry(give_up_after=0.0)


def open_with_retry(
    open_store: Callable[[], T], retry: StartupRetry, describe: Callable[[BaseException], str]
) -> T:
    """``open_store()``, retried per ``retry`` while it fails transiently;
    raises ``StateUnavailable`` when the window ends, and a permanent failure
    at once. Each retry is logged (``state_unreachable``) with ``describe(exc)``."""
    delays = retry.delays()
    attempts = 0
    while True:
        attempts += 1
        try:
            return open_store()
        except Exception as exc:
            if not is_transient(exc):
                raise
            delay = next(delays, None)
            if delay is None:
                raise StateUnavailable(exc, attempts) from exc
            log.warning(
                "state store not reachable (%s); retrying in %.3gs",
                describe(exc),
                delay,
                extra={"event": "state_unreachable", "attempt": attempts, "retry_in_s": delay},
            )
            retry.sleep(delay)


def describe(exc: BaseException) -> str:
    """``Type: first line of the message`` of a driver error, for one-line reports."""
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first}"
