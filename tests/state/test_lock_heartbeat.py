"""The SQLite lease's heartbeat survives a busy database: a beat that cannot write
is retried at the next beat instead of ending the heartbeat thread."""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from syncd.state.lock import connector_lock
from syncd.state.schema import locks, metadata


def _expiry(engine: sa.Engine) -> datetime:
    with engine.connect() as conn:
        value = conn.execute(sa.select(locks.c.expires_at)).scalar_one()
    assert isinstance(value, datetime)
    return value


class _BeatClock:
    """The lock's clock, counting its calls: each heartbeat reads it once, right
    before it writes, so ``wait_calls`` waits for beats instead of sleeping."""

    def __init__(self) -> None:
        self.calls = 0
        self.cond = threading.Condition()

    def __call__(self) -> datetime:
        with self.cond:
            self.calls += 1
            self.cond.notify_all()
        return datetime.now(UTC)

    def wait_calls(self, n: int, timeout: float = 5.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.calls >= n, timeout)


def test_heartbeat_outlives_a_busy_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "state.db"
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    metadata.create_all(engine)
    lease = timedelta(seconds=0.3)  # a beat every 0.1 s
    clock = _BeatClock()
    with (
        caplog.at_level(logging.WARNING, logger="syncd.state"),
        connector_lock(engine, "c", "me", clock, lease),
    ):
        blocker = sqlite3.connect(path, timeout=5)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
        # two whole beats while it holds it (the third has begun): both failed
        assert clock.wait_calls(clock.calls + 3)
        blocker.rollback()
        blocker.close()
        failed = [r for r in caplog.records if "lock lease not renewed" in r.getMessage()]
        assert len(failed) >= 2 and "database is locked" in failed[0].getMessage()
        before = _expiry(engine)
        # a beat that began after `before` was read, and ended (the next one began)
        assert clock.wait_calls(clock.calls + 2)
        assert _expiry(engine) > before  # the heartbeat renewed the lease again
        assert any(t.name == "syncd-lease-c" for t in threading.enumerate())
    engine.dispose()
