"""The issue's cases, end to end over the in-memory CRM: a cycle whose lock is
taken over mid-cycle (SQLite: it paused past its lease; PostgreSQL: its lock
session was terminated) writes no further batch and commits nothing more, while
the new holder's cycle runs to the end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psycopg
import sqlalchemy as sa

from connectors.base import AccountUpdate, ContactUpdate, WriteOutcome
from syncd.settings import ConnectorConfig, load_settings
from syncd.state import Store
from syncd.sync import Engine, run_cycle
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, NOW, Clock, crm_matches_core, write_config


class PausingConnector(MemoryConnector):
    """Calls ``pause`` when its first write call starts (the process "stops" there)."""

    def __init__(self, crm: MemoryCRM, pause: Callable[[], None]) -> None:
        super().__init__(NAME, crm)
        self.pause = pause

    def _send(self, batch: list[ContactUpdate | AccountUpdate]) -> list[WriteOutcome]:
        if self.write_calls == 0:  # the first batch, after the engine's fence check
            self.pause()
        return super()._send(batch)


def _engine(
    config: Path, crm: MemoryCRM, clock: Clock, pause: Callable[[], None] | None = None
) -> tuple[Engine, list[MemoryConnector]]:
    settings = load_settings(config, {})
    built: list[MemoryConnector] = []

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        c = PausingConnector(crm, pause) if pause is not None else MemoryConnector(name, crm)
        built.append(c)
        return c

    store = Store.open(settings.state.url, settings.state.lock_lease)
    return Engine(settings, store, factory, clock=clock), built


def _kill_lock_session(store: Store) -> None:
    with store.engine.connect() as conn:
        [pid] = (
            conn.execute(
                sa.text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                    "database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            )
            .scalars()
            .all()
        )
    url = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))


def test_a_holder_that_lost_its_lock_mid_cycle_writes_no_more(
    tmp_path: Path, state_url: str
) -> None:
    crm = MemoryCRM()
    seed(crm)
    config = write_config(tmp_path, state_url)
    lease = load_settings(config, {}).state.lock_lease
    later = Clock(NOW + lease + timedelta(seconds=2))  # the other replica's clock
    other, _ = _engine(config, crm, later)
    seen: dict[str, object] = {}

    def paused_past_the_lease() -> None:
        if state_url.startswith("postgresql"):
            _kill_lock_session(first.store)  # its session dies while it is stopped
        seen["other"] = run_cycle(other, NAME)  # the other replica takes over and syncs

    first, built = _engine(config, crm, Clock(), pause=paused_past_the_lease)
    report = run_cycle(first, NAME)

    assert report.status == "failed" and report.error == "lost the connector's lock"
    assert built[0].write_calls == 1  # the batch under way when it stopped; no other
    taken = seen["other"]
    assert getattr(taken, "status", None) == "ok"
    crm_matches_core(crm, other.store, later.now)
    # nothing the old holder did after the takeover is left for anyone to repair
    again = run_cycle(other, NAME)
    assert again.status == "ok" and again.written == 0
    statuses = {r.run_id: r.status for r in other.store.last_runs(NAME, 5)}
    assert statuses[report.run_id] == "failed"
    first.close()
    other.close()
