"""The daemon never runs on a ghost: a SQLite state file deleted, replaced or
read-only under a running engine fails the connector's cycles with a clear
error, and readiness names the problem."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from syncd.daemon.health import Health
from syncd.daemon.wiring import state_probe
from syncd.state import Store
from syncd.state.stateguard import FileGuard, StateStoreUnusable
from syncd.sync import Engine, run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, NOW, make_engine, write_config


def _engine(tmp_path: Path) -> tuple[Engine, Path]:
    crm = MemoryCRM()
    seed(crm)
    db = tmp_path / "state.db"
    app, _ = make_engine(write_config(tmp_path, f"sqlite:///{db}"), crm)
    assert run_cycle(app, NAME).status == "ok"
    return app, db


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def test_a_deleted_state_file_stops_the_connector_and_readiness_says_so(tmp_path: Path) -> None:
    app, db = _engine(tmp_path)
    _remove(db)
    report = run_cycle(app, NAME)
    assert report.status == "failed"
    error = report.error or ""
    assert "state store file was deleted" in error and str(db) in error
    assert not db.exists()  # nothing was written to a ghost, nor a new file made
    checks = Health([NAME], state_probe(app)).readiness()
    assert not checks.ready and "was deleted" in checks.checks["state"]
    app.close()


def test_a_replaced_state_file_is_refused(tmp_path: Path) -> None:
    app, db = _engine(tmp_path)
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    _remove(db)
    os.replace(copy, db)  # a restore from a backup under the running daemon
    report = run_cycle(app, NAME)
    assert report.status == "failed" and "was replaced" in (report.error or "")
    assert "was replaced" in (state_probe(app)() or "")
    app.close()


def test_a_read_only_state_store_is_named_as_such(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    guard = FileGuard(engine, read_only=lambda path: path == db.resolve())
    assert guard.problem() == f"state store is read-only: {db.resolve()}"
    assert FileGuard(engine).problem() is None
    engine.dispose()


def test_postgresql_and_memory_stores_have_no_file_to_guard() -> None:
    assert FileGuard(sa.create_engine("sqlite://")).problem() is None


def test_a_write_refused_as_read_only_names_the_store(state_url: str, tmp_path: Path) -> None:
    """Mid-cycle: SQLite opened read-only, PostgreSQL in read-only transactions."""
    Store.open(state_url).close()
    if state_url.startswith("sqlite"):
        db = state_url.removeprefix("sqlite:///")
        store = Store(sa.create_engine(f"sqlite:///file:{db}?mode=ro&uri=true"))
    else:
        store = Store.open(state_url)
        with store.engine.connect() as conn:
            name = conn.execute(sa.text("SELECT current_database()")).scalar_one()
            conn.execute(sa.text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
            conn.commit()
        store.engine.dispose()  # new sessions start read-only
    try:
        with pytest.raises(StateStoreUnusable, match="state store is read-only: "):
            store.set_meta("c", NOW, model_ref="m@1")
        with (
            pytest.raises(StateStoreUnusable, match="state store is read-only: "),
            store.lock("c", "me:1", lambda: NOW),
        ):
            pass
    finally:
        store.close()
