"""The connector lock is fenced: once another holder took it, the old holder's
state writes and fence checks fail (``LockLost``) and commit nothing; lease
durations are sane."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import sqlalchemy as sa

from connectors.base import ContactRecord, Page
from syncd.state import LockBusy, LockLost, Store
from syncd.state.lock import MIN_BEAT, _beat_seconds, connector_lock
from syncd.state.schema import runs

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
C = "crm1"


def _page(*ids: str, seq: int = 1) -> Page:
    return Page(
        contacts=[ContactRecord(id=i, kind="contact", data={"id": i}) for i in ids],
        cursor={"seq": seq},
    )


@pytest.fixture
def two_stores(state_url: str) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database: two replicas."""
    a, b = Store.open(state_url, lease=LEASE), Store.open(state_url, lease=LEASE)
    yield a, b
    a.close()
    b.close()


def _lock_session_pids(store: Store) -> list[int]:
    with store.engine.connect() as conn:
        return [
            int(p)
            for (p,) in conn.execute(
                sa.text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                    "database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            )
        ]


def _terminate(store: Store, pid: int) -> None:
    url = store.engine.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as c:
        assert c.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,)).fetchone() == (True,)


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
def test_sqlite_holder_whose_lease_was_taken_over_commits_nothing(
    two_stores: tuple[Store, Store],
) -> None:
    a, b = two_stores
    with a.lock(C, "host:1", lambda: NOW):
        a.commit_page(C, _page("1"), NOW)
        # a pauses past its lease (its clock and heartbeat stand still); b takes over
        with b.lock(C, "host:2", lambda: NOW + LEASE + timedelta(seconds=1)):
            with pytest.raises(LockLost, match="lost the connector's lock"):
                a.commit_page(C, _page("2", seq=2), NOW)
            with pytest.raises(LockLost):
                a.check_fence(C)
            with pytest.raises(LockLost):
                a.set_meta(C, NOW, cursor={"seq": 99})
            b.commit_page(C, _page("3", seq=3), NOW)  # the new holder goes on
    assert a.contact(C, "2") is None and b.contact(C, "3") is not None
    assert a.meta(C).cursor == {"seq": 3}


@pytest.mark.parametrize("state_url", ["postgresql"], indirect=True)
def test_holder_whose_pg_session_died_is_fenced_and_another_takes_over(
    two_stores: tuple[Store, Store],
) -> None:
    a, b = two_stores
    with a.lock(C, "host:1", lambda: NOW) as fence:
        a.commit_page(C, _page("1"), NOW)
        [pid] = _lock_session_pids(a)
        _terminate(a, pid)
        with b.lock(C, "host:2", lambda: NOW):  # free at once: the session is gone
            with pytest.raises(LockLost):
                a.commit_page(C, _page("2", seq=2), NOW)
            with pytest.raises(LockLost):
                a.check_fence(C)
            b.commit_page(C, _page("3", seq=3), NOW)
        assert fence.lost.is_set()
    assert a.contact(C, "2") is None and a.contact(C, "3") is not None


@pytest.mark.parametrize("state_url", ["postgresql"], indirect=True)
def test_pg_heartbeat_notices_a_dead_lock_session_before_any_takeover(state_url: str) -> None:
    store = Store.open(state_url, lease=timedelta(milliseconds=400))
    try:
        with store.lock(C, "host:1", lambda: NOW) as fence:
            [pid] = _lock_session_pids(store)
            _terminate(store, pid)
            assert fence.lost.wait(10)  # the next beat finds the session gone
            with pytest.raises(LockLost):
                store.commit_page(C, _page("1"), NOW)
        assert store.contact(C, "1") is None
    finally:
        store.close()


def test_a_holder_that_kept_its_lock_writes_on_after_its_lease_ran_out(
    two_stores: tuple[Store, Store],
) -> None:
    """An expired lease nobody took is still this holder's: the fence renews it."""
    a, b = two_stores
    late = [NOW]
    with a.lock(C, "host:1", lambda: late[0]):
        late[0] = NOW + LEASE * 3
        a.commit_page(C, _page("1"), NOW)  # renews the lease on the way
        with pytest.raises(LockBusy), b.lock(C, "host:2", lambda: NOW + LEASE * 3):
            pass
    assert a.contact(C, "1") is not None


def test_the_generation_grows_with_every_holder_and_release_keeps_it(
    two_stores: tuple[Store, Store],
) -> None:
    a, b = two_stores
    seen = []
    for store in (a, b, a):
        with store.lock(C, "host:1", lambda: NOW) as fence:
            seen.append(fence.generation)
    assert seen == sorted(seen) and len(set(seen)) == 3


def test_unfenced_writes_outside_the_lock_still_work(two_stores: tuple[Store, Store]) -> None:
    a, _ = two_stores
    a.commit_page(C, _page("1"), NOW)
    a.check_fence(C)  # holds nothing: nothing to check
    assert a.contact(C, "1") is not None


def test_runs_left_running_are_marked_abandoned_by_the_next_holder(
    two_stores: tuple[Store, Store],
) -> None:
    a, b = two_stores
    with a.lock(C, "host:1", lambda: NOW):
        a.start_run("dead-run", C, "incremental", NOW)  # and then the process died
    a.start_run("other-connector", "crm2", "incremental", NOW)
    with b.lock(C, "host:2", lambda: NOW):
        b.start_run("next-run", C, "incremental", NOW)
    with b.engine.connect() as conn:
        status = dict(conn.execute(sa.select(runs.c.run_id, runs.c.status)).all())
    assert status == {"dead-run": "abandoned", "next-run": "running", "other-connector": "running"}
    [row] = [r for r in b.last_runs(C, 5) if r.run_id == "dead-run"]
    assert row.finished_at == NOW and "stopped before it finished" in (row.error or "")


def test_lease_must_be_positive_and_beats_never_busy_loop() -> None:
    engine = sa.create_engine("sqlite://")
    for bad in (timedelta(0), timedelta(seconds=-5)):
        with pytest.raises(ValueError, match="positive"):
            connector_lock(engine, C, "me", lambda: NOW, bad)
    assert _beat_seconds(timedelta(microseconds=1)) == MIN_BEAT.total_seconds()
    assert _beat_seconds(timedelta(minutes=2)) == 30.0
