"""One lock per connector, so two processes never sync one connector at once.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on a
dedicated connection for the lock's lifetime; it vanishes with the session if
the process dies. SQLite: a lease row (owner ``host:pid``, expiry) renewed by
a heartbeat thread; a lease not renewed for ``lease``, or held by a process of
this host that no longer exists, may be taken over.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa

from syncd.state.schema import locks

__all__ = ["LockBusy", "connector_lock"]


class LockBusy(RuntimeError):
    """Another process holds the connector's lock."""


def _pg_key(connector: str) -> int:
    return int.from_bytes(hashlib.sha256(f"syncd:{connector}".encode()).digest()[:8], "big",
                          signed=True)


@contextmanager
def _pg_lock(engine: sa.Engine, connector: str) -> Iterator[None]:
    key = _pg_key(connector)
    with engine.connect() as conn:
        got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar_one()
        conn.commit()
        if not got:
            raise LockBusy(f"connector {connector} is being synced by another process")
        try:
            yield
        finally:
            conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
            conn.commit()


log = logging.getLogger("syncd.state")


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


def _try_lease(engine: sa.Engine, connector: str, owner: str, now: datetime,
               lease: timedelta) -> bool:
    with engine.begin() as conn:
        done = conn.execute(sa.update(locks).where(
            locks.c.connector == connector,
            sa.or_(locks.c.owner == owner, locks.c.expires_at < now))
            .values(owner=owner, expires_at=now + lease))
        if done.rowcount:
            return True
        exists = conn.execute(sa.select(locks.c.owner).where(
            locks.c.connector == connector)).first()
        if exists is not None:
            if _holder_dead(exists[0]):
                done = conn.execute(sa.update(locks).where(
                    locks.c.connector == connector, locks.c.owner == exists[0])
                    .values(owner=owner, expires_at=now + lease))
                return bool(done.rowcount)
            return False
        try:
            with conn.begin_nested():
                conn.execute(sa.insert(locks).values(connector=connector, owner=owner,
                                                     expires_at=now + lease))
        except sa.exc.IntegrityError:
            return False
        return True


@contextmanager
def _lease_lock(engine: sa.Engine, connector: str, owner: str, clock: Callable[[], datetime],
                lease: timedelta) -> Iterator[None]:
    if not _try_lease(engine, connector, owner, clock(), lease):
        raise LockBusy(f"connector {connector} is being synced by another process")
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease.total_seconds() / 3):
            try:
                _try_lease(engine, connector, owner, clock(), lease)
            except sa.exc.OperationalError as exc:  # e.g. SQLite busy past its timeout
                # one missed beat leaves two thirds of the lease; the next beat renews it
                log.warning("lock lease not renewed, retrying at the next beat: %s",
                            str(exc).splitlines()[0], extra={"connector": connector})

    t = threading.Thread(target=beat, name=f"syncd-lease-{connector}", daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()
        with engine.begin() as conn:
            conn.execute(sa.delete(locks).where(locks.c.connector == connector,
                                                locks.c.owner == owner))


def connector_lock(engine: sa.Engine, connector: str, owner: str,
                   clock: Callable[[], datetime], lease: timedelta
                   ) -> AbstractContextManager[None]:
    """Hold the connector's lock for the ``with`` block; raises ``LockBusy``."""
    if engine.dialect.name == "postgresql":
        return _pg_lock(engine, connector)
    return _lease_lock(engine, connector, owner, clock, lease)

