"""The SQLite lease's heartbeat survives a busy database: a beat that cannot write
is retried at the next beat instead of ending the heartbeat thread."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from syncd.state.lock import connector_lock
from syncd.state.schema import locks, metadata


def _expiry(engine: sa.Engine) -> datetime:
    with engine.connect() as conn:
        value = conn.execute(sa.select(locks.c.expires_at)).scalar_one()
    assert isinstance(value, datetime)
    return value


def test_heartbeat_outlives_a_busy_database(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    metadata.create_all(engine)
    lease = timedelta(seconds=0.3)  # a beat every 0.1 s
    with connector_lock(engine, "c", "me", lambda: datetime.now(UTC), lease):
        blocker = sqlite3.connect(path, timeout=5)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
        time.sleep(0.35)  # several beats fail with "database is locked"
        blocker.rollback()
        blocker.close()
        before = _expiry(engine)
        deadline = time.monotonic() + 5
        while _expiry(engine) <= before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _expiry(engine) > before  # the heartbeat renewed the lease again
        assert any(t.name == "syncd-lease-c" for t in threading.enumerate())
    engine.dispose()
