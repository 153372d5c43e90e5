"""Open a state database and bring its schema to the newest migration.

SQLite gets WAL journaling, a busy timeout and foreign-key-free one-writer
use; PostgreSQL URLs use psycopg 3 (``postgresql://`` is rewritten to
``postgresql+psycopg://``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

__all__ = ["create_engine", "upgrade"]

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
    mig = sa.create_engine(engine.url, connect_args={"check_same_thread": False,
                                                     "timeout": 30},
                           poolclass=sa.pool.NullPool)

    def connect(dbapi_conn: Any, _record: Any) -> None:
        _sqlite_pragmas(dbapi_conn, _record)
        dbapi_conn.isolation_level = None  # SQLAlchemy, not the driver, begins

    def begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    sa.event.listen(mig, "connect", connect)
    sa.event.listen(mig, "begin", begin)
    return mig
