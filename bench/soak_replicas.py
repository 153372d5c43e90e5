"""Two ``syncd run`` daemons on one PostgreSQL state store: one is paused past its
lease (SIGSTOP/SIGCONT) while it holds a connector, the other's database session is
terminated (pg_terminate_backend) while it holds one. A poller records every change of
lock holder; the run table shows whether two runs of one connector overlapped."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from syncd.state.schema import locks, runs


@dataclass
class LockWatch:
    """Lock holders over time: (seconds since start, connector, owner pid, generation)."""

    url: str
    changes: list[tuple[float, str, int, int]] = field(default_factory=list)
    t0: float = field(default_factory=time.monotonic)
    current: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        engine = sa.create_engine(self.url, pool_pre_ping=True)
        seen: dict[str, int] = {}
        while not self._stop.wait(0.2):
            try:
                with engine.connect() as conn:
                    rows = conn.execute(
                        sa.select(
                            locks.c.connector, locks.c.owner, locks.c.generation, locks.c.expires_at
                        )
                    ).all()
            except sa.exc.SQLAlchemyError:
                continue
            for connector, owner, generation, expires in rows:
                self.current[connector] = (_pid(owner), expires)
                if seen.get(connector) != generation:
                    seen[connector] = generation
                    t = time.monotonic() - self.t0
                    self.changes.append((t, connector, _pid(owner), generation))
        engine.dispose()

    def holder(self, connector: str) -> int | None:
        """The pid holding ``connector`` now (an unexpired lease), if any."""
        pid, expires = self.current.get(connector, (None, None))
        return pid if expires is not None and expires > datetime.now(UTC) else None

    def now(self) -> float:
        return time.monotonic() - self.t0

    def first_other(self, connector: str, pid: int, after: float) -> float | None:
        """When a holder other than ``pid`` first took ``connector`` after ``after``."""
        for t, c, holder, _ in self.changes:
            if c == connector and t > after and holder != pid:
                return t - after
        return None

    def start(self) -> None:
        threading.Thread(target=self.run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


def _pid(owner: object) -> int:
    tail = str(owner).rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_daemon(cfg: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SYNCD_DAEMON__PORT": str(free_port())}
    return subprocess.Popen(
        [sys.executable, "-m", "syncd", "run", "--config", str(cfg)],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        env=env,
    )


def wait_holding(watch: LockWatch, pids: tuple[int, ...], timeout: float) -> tuple[str, int] | None:
    """A connector one of ``pids`` holds right now, and its holder (None after
    ``timeout``)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for connector in list(watch.current):
            holder = watch.holder(connector)
            if holder in pids:
                return connector, holder
        time.sleep(0.05)
    return None


def overlaps(url: str) -> list[str]:
    """Pairs of runs of one connector that overlapped in time and both ended ok."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(runs.c.connector, runs.c.started_at, runs.c.finished_at, runs.c.status)
            .where(runs.c.status == "ok")
            .order_by(runs.c.connector, runs.c.started_at)
        ).all()
    engine.dispose()
    out = []
    for a, b in itertools.pairwise(rows):
        if (
            a.connector == b.connector
            and a.finished_at is not None
            and b.started_at < a.finished_at
        ):
            out.append(f"{a.connector}: {a.started_at}..{a.finished_at} and {b.started_at}..")
    return out


def replica_phase(
    url: str,
    cfg: Path,
    work: Path,
    lease_s: float,
    mutate: Callable[[], None],
    terminate_backends: Callable[[str], int],
    seconds: float,
) -> dict[str, object]:
    """Run the two replicas through a pause and a terminated session; figures."""
    watch = LockWatch(url)
    watch.start()
    a = start_daemon(cfg, work / "replica-a.log")
    b = start_daemon(cfg, work / "replica-b.log")
    figures: dict[str, object] = {}
    try:
        end = time.monotonic() + seconds / 3
        while time.monotonic() < end:
            mutate()
            time.sleep(3)
        # 1. pause a holder past its lease
        found = wait_holding(watch, (a.pid, b.pid), 120)
        if found is not None:
            held, pid = found
            os.kill(pid, signal.SIGSTOP)
            stopped = watch.now()
            time.sleep(lease_s + 10)
            figures["pause takeover s"] = watch.first_other(held, pid, stopped)
            os.kill(pid, signal.SIGCONT)
        end = time.monotonic() + seconds / 3
        while time.monotonic() < end:
            mutate()
            time.sleep(3)
        # 2. cut a holder's database session (retried: a short cycle may end first)
        for _ in range(30):
            found = wait_holding(watch, (a.pid, b.pid), 120)
            if found is None:
                break
            held, pid = found
            cut = watch.now()
            done = terminate_backends(held)
            if done:
                figures["backends terminated"] = done
                time.sleep(lease_s + 10)
                figures["terminate takeover s"] = watch.first_other(held, pid, cut)
                break
            time.sleep(0.5)
        end = time.monotonic() + seconds / 3
        while time.monotonic() < end:
            mutate()
            time.sleep(3)
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in (a, b):
            try:
                p.wait(timeout=120)
            except subprocess.TimeoutExpired:
                p.kill()
        watch.stop()
    figures["lock handovers"] = len(watch.changes)
    figures["locks taken per replica"] = [
        sum(1 for c in watch.changes if c[2] == p.pid) for p in (a, b)
    ]
    figures["overlapping ok runs"] = overlaps(url)
    return figures
