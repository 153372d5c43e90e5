"""Is the SQLite state file still the one this process opened, and writable?

A daemon keeps its SQLite connections open across cycles. When the file is
deleted or replaced under it (a restore, a mistaken clean-up), those
connections go on reading and writing the old, unlinked inode: every cycle
looks fine while the state is silently lost. ``FileGuard`` remembers the file's
device and inode when the store opens and names the problem before each cycle:
the file is gone, replaced, or read-only (file mode, or a read-only mount), so
the error says "state store is read-only: <path>" rather than the driver's
"disk I/O error". PostgreSQL and in-memory SQLite have no file: no problem.
``read_only_error`` recognises a write the database refused as read-only (by
its error code) so that the store can say the same mid-cycle.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

__all__ = ["FileGuard", "StateStoreUnusable", "read_only_error"]

#: SQLite's primary result code for a write to a read-only database.
_SQLITE_READONLY = 8
#: PostgreSQL's SQLSTATE for a write in a read-only transaction (a standby, or
#: ``default_transaction_read_only``).
_PG_READ_ONLY = "25006"


class StateStoreUnusable(sa.exc.SQLAlchemyError):
    """The state store cannot be used safely (file deleted, replaced, read-only)."""


def _sqlite_path(engine: sa.Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    db = engine.url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db).resolve()


class FileGuard:
    """The identity of a SQLite state file, taken when the store opened."""

    def __init__(self, engine: sa.Engine, read_only: Callable[[Path], bool] | None = None) -> None:
        self.path = _sqlite_path(engine)
        self._read_only = read_only or _read_only
        self._identity: tuple[int, int] | None = None
        if self.path is not None:
            try:
                st = self.path.stat()
                self._identity = (st.st_dev, st.st_ino)
            except OSError:
                self._identity = None  # not created yet: nothing to compare

    def problem(self) -> str | None:
        """None when the file is the one opened and writable, else what is wrong."""
        if self.path is None or self._identity is None:
            return None
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return (
                f"state store file was deleted while syncd ran: {self.path}; restore it "
                "or restart syncd to start from an empty state"
            )
        except OSError as exc:
            return f"state store file cannot be read: {self.path}: {exc.strerror or exc}"
        if (st.st_dev, st.st_ino) != self._identity:
            return (
                f"state store file was replaced while syncd ran: {self.path}; restart "
                "syncd to use the new file"
            )
        if self._read_only(self.path):
            return f"state store is read-only: {self.path}"
        return None

    def check(self) -> None:
        """Raise ``StateStoreUnusable`` naming the problem, if any."""
        problem = self.problem()
        if problem is not None:
            raise StateStoreUnusable(problem)


def _read_only(path: Path) -> bool:
    """A read-only mount, or a file (or directory, which holds SQLite's WAL files)
    this process may not write."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


def read_only_error(exc: sa.exc.DBAPIError) -> bool:
    """True when the driver refused a write because the database is read-only
    (by the driver's error code, never by its message)."""
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF == _SQLITE_READONLY:
        return True
    return getattr(orig, "sqlstate", None) == _PG_READ_ONLY
