"""Open a state database and bring its schema to the newest migration.

SQLite gets WAL journaling, a busy timeout and foreign-key-free one-writer
use; PostgreSQL URLs use psycopg 3 (``postgresql://`` is rewritten to
``postgresql+psycopg://``).

``open_existing`` opens a state that already exists and never creates one
(read-only commands: ``status``, ``explain``, ``export``, ``report``, ``runs``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

__all__ = ["StateMissing", "create_engine", "open_existing", "upgrade"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url`` (sqlite:///file or postgresql://…)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


class StateMissing(Exception):
    """There is no syncd state at the URL (``str(exc)`` is the URL, password hidden)."""


def _sqlite_file(url: sa.URL) -> Path | None:
    """The SQLite database file of ``url`` (None: in memory)."""
    db = url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db).absolute()


def open_existing(url: str) -> sa.Engine:
    """An engine on the syncd state at ``url``, migrated to the newest schema;
    ``StateMissing`` when there is none (a missing SQLite file, or a database
    without syncd's tables). Nothing is created."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        file = _sqlite_file(parsed)
        if file is None or not file.is_file():
            shown = parsed.set(database=str(file)) if file is not None else parsed
            raise StateMissing(shown.render_as_string(hide_password=True))
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            exists = sa.inspect(conn).has_table("alembic_version")
        if not exists:
            raise StateMissing(parsed.render_as_string(hide_password=True))
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def upgrade(engine: sa.Engine) -> None:
    """Apply every migration not yet applied (idempotent, safe to call at each
    start, and from several processes at once: the migration runs under a
    database-wide lock — an advisory lock on PostgreSQL, ``BEGIN IMMEDIATE``
    on SQLite)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    if engine.dialect.name == "sqlite":
        engine = _immediate(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    if engine.dialect.name == "sqlite":
        engine.dispose()


_MIGRATION_LOCK = 0x53594E4344  # "SYNCD"


def _immediate(engine: sa.Engine) -> sa.Engine:
    """A one-off SQLite engine whose transactions start with ``BEGIN IMMEDIATE``
    (the write lock is taken at once, so two migrating processes queue)."""
    mig = sa.create_engine(
        engine.url,
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=sa.pool.NullPool,
    )

    def connect(dbapi_conn: Any, _record: Any) -> None:
        _sqlite_pragmas(dbapi_conn, _record)
        dbapi_conn.isolation_level = None  # SQLAlchemy, not the driver, begins

    def begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    sa.event.listen(mig, "connect", connect)
    sa.event.listen(mig, "begin", begin)
    return mig
