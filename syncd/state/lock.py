"""One fenced lock per connector, so two processes never sync one connector at once.

Every holder gets a **fencing token**: the ``generation`` of the connector's row in
``syncd_lock``, raised by one for every new holder and never reset (the row is
never deleted; releasing only marks it expired). Each state write of a cycle runs
``Fence.check`` as the first statement of its transaction: an ``UPDATE`` of the lock
row that matches only while the generation is still the holder's. When it matches
nothing, another holder took over: ``LockLost`` is raised and the transaction rolls
back, so nothing more is committed. Before each CRM write batch the cycle runs the
same check in a transaction of its own (``Store.check_fence``).

Why this is correct on both backends: a new holder must raise the generation with
an ``UPDATE`` of the same row. On SQLite every write transaction holds the
database's single write lock, and the check is its first statement (it takes the
write lock at once, so it reads the newest row). On PostgreSQL the check's
``UPDATE`` holds the row lock until commit, so a takeover waits for a write already
under way and every later check of the old holder sees the new generation (READ
COMMITTED re-evaluates the ``WHERE`` against the committed row). Either the old
holder's transaction commits before the takeover - it was the holder then - or it
fails the check. No clock and no session identity is trusted for safety.

Liveness (when may a new holder take the lock):

* SQLite: a lease. The row's ``expires_at`` is renewed by a heartbeat thread every
  quarter lease (and by every fence check); a lease not renewed for ``lease``, or
  held by a process of this host that no longer exists, may be taken over.
* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a
  dedicated connection decides who may raise the generation. The session sets
  ``idle_session_timeout`` to the lease and the heartbeat queries it every quarter
  lease, so a holder that is paused or cut off loses its session - and with it the
  advisory lock - after one lease; a crashed process loses it at once. The
  heartbeat notices a session that is gone and marks the fence lost, so the holder
  stops before its next batch even before anyone takes over. Every fenced write
  transaction sets ``idle_in_transaction_session_timeout`` to the lease, so a
  holder frozen in the middle of a write cannot keep the lock row locked (a
  takeover waits ``TAKEOVER_WAIT`` for a write under way, else tries again at its
  next run).

Lease durations: ``MIN_LEASE`` is the shortest a configuration may ask for (four
heartbeats of 2.5 s); the lock itself refuses a lease that is not positive and
never beats more often than ``MIN_BEAT``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from syncd.state.schema import locks

__all__ = ["MIN_LEASE", "Fence", "LockBusy", "LockLost", "connector_lock"]

log = logging.getLogger("syncd.state")

#: The shortest lease a configuration may set: four heartbeats of 2.5 s.
MIN_LEASE = timedelta(seconds=10)
#: Heartbeats per lease.
BEATS_PER_LEASE = 4
#: Never beat more often than this (a tiny lease must not busy-loop).
MIN_BEAT = timedelta(milliseconds=50)
#: How long a PostgreSQL takeover waits for the old holder's write under way.
TAKEOVER_WAIT = timedelta(seconds=5)
#: ``expires_at`` of a released lock: always in the past.
_RELEASED = datetime(1970, 1, 1, tzinfo=UTC)


class LockBusy(RuntimeError):
    """Another process holds the connector's lock."""


class LockLost(RuntimeError):
    """This holder lost the connector's lock (lease taken over, session gone)."""

    def __init__(self, connector: str) -> None:
        super().__init__("lost the connector's lock")
        self.connector = connector


@dataclass
class Fence:
    """A holder's fencing token for one connector."""

    connector: str
    generation: int
    owner: str
    lease: timedelta
    clock: Callable[[], datetime]
    lost: threading.Event = field(default_factory=threading.Event)

    def check(self, conn: sa.Connection) -> None:
        """Run first inside a write transaction: raise ``LockLost`` (the caller's
        transaction then rolls back) unless this holder still holds the lock.
        Renews the lease on the way."""
        if self.lost.is_set():
            raise LockLost(self.connector)
        if conn.dialect.name == "postgresql":
            # a holder frozen inside this transaction must not block a takeover for good
            conn.execute(
                sa.text(f"SET LOCAL idle_in_transaction_session_timeout = {_millis(self.lease)}")
            )
        if not _renew(conn, self):
            self.lost.set()
            raise LockLost(self.connector)


def _renew(conn: sa.Connection, fence: Fence) -> bool:
    done = conn.execute(
        sa.update(locks)
        .where(locks.c.connector == fence.connector, locks.c.generation == fence.generation)
        .values(expires_at=fence.clock() + fence.lease)
    )
    return done.rowcount == 1


def _millis(span: timedelta) -> int:
    return max(1, int(span.total_seconds() * 1000))


def _pg_key(connector: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"syncd:{connector}".encode()).digest()[:8], "big", signed=True
    )


def _holder_dead(holder: str) -> bool:
    """True when ``holder`` (``host:pid``) is a process of this host that no
    longer exists (it crashed): its lease need not be waited out."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _take(
    conn: sa.Connection,
    connector: str,
    owner: str,
    now: datetime,
    lease: timedelta,
    *,
    exclusive: bool,
) -> int | None:
    """Become the holder: the new generation, or None when the lock is held.
    ``exclusive``: the caller may take it whatever the lease says (it holds the
    PostgreSQL advisory lock). The first statement writes, so on SQLite the
    database's write lock is held from there on and every read is current."""
    where = [locks.c.connector == connector]
    if not exclusive:
        where.append(locks.c.expires_at < now)
    took = conn.execute(
        sa.update(locks)
        .where(*where)
        .values(generation=locks.c.generation + 1, owner=owner, expires_at=now + lease)
    )
    row = conn.execute(
        sa.select(locks.c.owner, locks.c.generation).where(locks.c.connector == connector)
    ).first()
    if took.rowcount:
        assert row is not None
        return int(row.generation)
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(
                    sa.insert(locks).values(
                        connector=connector, owner=owner, expires_at=now + lease, generation=1
                    )
                )
        except sa.exc.IntegrityError:
            return None
        return 1
    if _holder_dead(row.owner):
        took = conn.execute(
            sa.update(locks)
            .where(locks.c.connector == connector, locks.c.generation == row.generation)
            .values(generation=row.generation + 1, owner=owner, expires_at=now + lease)
        )
        return int(row.generation) + 1 if took.rowcount else None
    return None


def _try_lease(
    engine: sa.Engine, connector: str, owner: str, now: datetime, lease: timedelta
) -> int | None:
    """Take the SQLite lease if it is free; the new generation or None."""
    with engine.begin() as conn:
        return _take(conn, connector, owner, now, lease, exclusive=False)


def _release(engine: sa.Engine, fence: Fence) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.update(locks)
                .where(locks.c.connector == fence.connector, locks.c.generation == fence.generation)
                .values(expires_at=_RELEASED)
            )
    except sa.exc.SQLAlchemyError as exc:  # the lease simply runs out
        log.warning(
            "lock not released, it expires with its lease: %s",
            str(exc).splitlines()[0],
            extra={"connector": fence.connector},
        )


def _beat_seconds(lease: timedelta) -> float:
    return max(lease / BEATS_PER_LEASE, MIN_BEAT).total_seconds()


@contextmanager
def _heartbeat(fence: Fence, beat: Callable[[], None]) -> Iterator[None]:
    """Call ``beat`` every quarter lease on a thread until the block ends or the
    fence is lost."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(_beat_seconds(fence.lease)) and not fence.lost.is_set():
            beat()

    t = threading.Thread(target=run, name=f"syncd-lease-{fence.connector}", daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()


@contextmanager
def _lease_lock(
    engine: sa.Engine, connector: str, owner: str, clock: Callable[[], datetime], lease: timedelta
) -> Iterator[Fence]:
    generation = _try_lease(engine, connector, owner, clock(), lease)
    if generation is None:
        raise LockBusy(f"connector {connector} is being synced by another process")
    fence = Fence(connector, generation, owner, lease, clock)

    def beat() -> None:
        try:
            with engine.begin() as conn:
                if not _renew(conn, fence):
                    fence.lost.set()
                    log.error(
                        "lost the connector's lock: another process took it over",
                        extra={"connector": connector, "event": "lock_lost"},
                    )
        except sa.exc.OperationalError as exc:  # e.g. SQLite busy past its timeout
            # one missed beat leaves three quarters of the lease; the next beat renews it
            log.warning(
                "lock lease not renewed, retrying at the next beat: %s",
                str(exc).splitlines()[0],
                extra={"connector": connector},
            )

    with _heartbeat(fence, beat):
        try:
            yield fence
        finally:
            fence.lost.set()  # this holder is done: its fence stops working too
    _release(engine, fence)


@contextmanager
def _pg_lock(
    engine: sa.Engine, connector: str, owner: str, clock: Callable[[], datetime], lease: timedelta
) -> Iterator[Fence]:
    key = _pg_key(connector)
    conn = engine.connect()
    try:
        try:
            conn.execute(sa.text(f"SET idle_session_timeout = {_millis(lease)}"))
            conn.commit()
        except sa.exc.DBAPIError:  # PostgreSQL before 14 lacks it
            conn.rollback()
            log.warning(
                "the PostgreSQL server has no idle_session_timeout (version 14+): a "
                "frozen holder keeps its lock until the server drops its connection",
                extra={"connector": connector, "event": "lock_no_session_timeout"},
            )
        got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar_one()
        conn.commit()
        if not got:
            raise LockBusy(f"connector {connector} is being synced by another process")
        try:
            with conn.begin():
                conn.execute(sa.text(f"SET LOCAL lock_timeout = {_millis(TAKEOVER_WAIT)}"))
                generation = _take(conn, connector, owner, clock(), lease, exclusive=True)
        except sa.exc.OperationalError:  # the old holder is stuck inside a write
            generation = None
        if generation is None:
            conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
            conn.commit()
            raise LockBusy(f"connector {connector} is still being written by another process")
        fence = Fence(connector, generation, owner, lease, clock)

        def beat() -> None:
            try:
                current = conn.execute(
                    sa.select(locks.c.generation).where(locks.c.connector == connector)
                ).scalar_one_or_none()
                conn.commit()
            except sa.exc.DBAPIError as exc:
                current = None
                log.error(
                    "lost the connector's lock: its database session ended (%s)",
                    str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__,
                    extra={"connector": connector, "event": "lock_lost"},
                )
            if current != fence.generation:
                fence.lost.set()

        with _heartbeat(fence, beat):
            try:
                yield fence
            finally:
                fence.lost.set()
        try:
            conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
            conn.commit()
        except sa.exc.SQLAlchemyError:  # the session is gone, its advisory lock with it
            pass
    finally:
        # the session carries idle_session_timeout: close it rather than pool it
        conn.invalidate()
        conn.close()


def connector_lock(
    engine: sa.Engine, connector: str, owner: str, clock: Callable[[], datetime], lease: timedelta
) -> AbstractContextManager[Fence]:
    """Hold the connector's lock for the ``with`` block, yielding its ``Fence``;
    raises ``LockBusy`` when another holder has it."""
    if lease <= timedelta(0):
        raise ValueError("the lock lease must be positive")
    if engine.dialect.name == "postgresql":
        return _pg_lock(engine, connector, owner, clock, lease)
    return _lease_lock(engine, connector, owner, clock, lease)
