"""Overall deadlines for CRM calls: connect plus the whole answer, not one socket read.

A socket timeout bounds each read, so an answer trickled one byte at a time never
trips it; urllib3's ``Timeout(total=...)`` only shortens the read timeout by the time
the connect took (it is still per read). Both connectors' SDKs send through urllib3
connection pools, so the deadline is enforced there:

* ``Deadline(seconds)`` is a context manager around one HTTP exchange (the request and
  the reading of its answer). While it is open, every urllib3 connection of a pool
  built by ``deadline_pools`` that sends a request registers with it; when the
  deadline passes, a timer thread shuts those sockets down, which ends any blocked
  read at once. Leaving the block raises ``DeadlineExceeded`` whenever the deadline
  passed, whatever the SDK made of the cut-off answer (an answer cut short is never
  used), unless the call failed with a socket timeout of its own (that error stands).
* ``deadline_pools(pool_manager)`` makes a urllib3 ``PoolManager`` build its pools
  with those connections (call it before the first request; requests' adapters and
  hubspot-api-client's REST client both hold one).

``DeadlineExceeded`` is a ``RetriableError``: the kit's retry policy retries it as a
transient failure (bounded by its attempts), and what the policy gives up on leaves
the connector already typed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from contextvars import ContextVar
from types import TracebackType
from typing import Any

import urllib3
from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from connectors.base import RetriableError

__all__ = ["Deadline", "DeadlineExceeded", "deadline_pools"]

_current: ContextVar[Deadline | None] = ContextVar("connectors_kit_deadline", default=None)


class DeadlineExceeded(RetriableError):
    """A CRM call (connect and the whole answer) outlived its overall deadline."""

    def __init__(self, seconds: float, what: str = "") -> None:
        super().__init__(
            f"{what or 'a CRM call'}: no answer within timeout ({seconds:g} s, the overall "
            "deadline for connecting and reading the whole answer); the server answered "
            "too slowly or stopped answering"
        )
        self.seconds = seconds


class Deadline:
    """One call's overall deadline; a context manager (see the module docstring)."""

    def __init__(self, seconds: float, *, what: str = "") -> None:
        if seconds <= 0:
            raise ValueError("a deadline must be positive")
        self.seconds = seconds
        self.what = what
        self._lock = threading.Lock()
        self._connections: list[HTTPConnection] = []
        self._expired = False
        self._timer: threading.Timer | None = None
        self._token: Any = None

    @property
    def expired(self) -> bool:
        return self._expired

    def register(self, connection: HTTPConnection) -> None:
        """A connection sending a request under this deadline (cut when it passes)."""
        with self._lock:
            self._connections.append(connection)
            expired = self._expired
        if expired:
            _cut(connection)

    def expire(self) -> None:
        """The deadline passed: cut every connection registered so far."""
        with self._lock:
            self._expired = True
            connections = list(self._connections)
        for connection in connections:
            _cut(connection)

    def __enter__(self) -> Deadline:
        self._token = _current.set(self)
        self._timer = threading.Timer(self.seconds, self.expire)
        self._timer.daemon = True
        self._timer.name = "syncd-deadline"
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
        _current.reset(self._token)
        if not self._expired or isinstance(exc, DeadlineExceeded):
            return
        if exc is not None and _timed_out(exc):
            return  # the socket's own timeout fired first: its error says as much
        raise DeadlineExceeded(self.seconds, self.what) from exc


def _timed_out(exc: BaseException) -> bool:
    """Whether ``exc`` is, or wraps, a socket or urllib3 timeout."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, TimeoutError | urllib3.exceptions.TimeoutError):
            return True
        reason = getattr(current, "reason", None)
        pending += [current.__cause__, current.__context__]
        if isinstance(reason, BaseException):
            pending.append(reason)
    return False


def _cut(connection: HTTPConnection) -> None:
    """Shut the connection's socket down: a read blocked on it returns at once."""
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _Registering:
    """Mixin: a connection that registers with the open ``Deadline`` for each request."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = _current.get()
        if deadline is not None:
            deadline.register(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        deadline = _current.get()
        if deadline is not None and deadline.expired:  # it passed while connecting
            _cut(self)  # type: ignore[arg-type]


class DeadlineHTTPConnection(_Registering, HTTPConnection):
    """An ``HTTPConnection`` the open ``Deadline`` can cut."""


class DeadlineHTTPSConnection(_Registering, HTTPSConnection):
    """An ``HTTPSConnection`` the open ``Deadline`` can cut."""


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = DeadlineHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = DeadlineHTTPSConnection


def deadline_pools(manager: PoolManager) -> None:
    """Make ``manager`` build pools whose connections an open ``Deadline`` can cut
    (pools it built before are closed). A manager already set up, or one with pools of
    its own kind (SOCKS), is left alone: its calls keep only their socket timeouts."""
    if manager.pool_classes_by_scheme.get("http") is not HTTPConnectionPool:
        return
    manager.clear()
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
