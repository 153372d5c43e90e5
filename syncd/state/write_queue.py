"""The cycle's write queue: pending contact writes, most important first (``rank``
desc, then id), then pending account writes (by id), read a chunk at a time.

Chunks are read by position (keyset: after the last (rank, id) / id handed out), so
updates handed to a connector whose outcomes are not recorded yet (a bulk job, batches
in flight) are never handed out twice, whatever the connector buffers. Only writable,
live, not dead-lettered records not yet tried in this run are queued.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from syncd.state.account_ledger import PendingAccount
from syncd.state.records import Desired, PendingWrite
from syncd.state.schema import accounts, contacts

__all__ = ["write_queue"]

#: The columns a queued contact write needs (not the stored contact itself), in
#: the order ``write_queue`` unpacks them.
_QUEUED = [
    contacts.c[name]
    for name in (
        "id",
        "kind",
        "score",
        "tier",
        "reasons",
        "priority",
        "probability",
        "mql_at",
        "drift",
        "attempts",
        "rank",
    )
]


def _contact_chunk(
    conn: sa.Connection, connector: str, run_id: str, after: tuple[int, str] | None, chunk: int
) -> list[Any]:
    """The next ``chunk`` queued contact writes after ``after`` (rank, id), in
    (rank desc, id) order.

    After a keyset the chunk is read as two disjoint ranges, each a seek on
    ``ix_syncd_contact_pending`` (connector, pending, rank desc, id) read in
    index order: the rest of ``after``'s rank by id, then the lower ranks. (A
    single ``rank < r OR (rank = r AND id > i)`` condition is no range SQLite or
    PostgreSQL can seek to: each chunk would walk every pending row before it.)
    """
    base = sa.select(*_QUEUED).where(
        contacts.c.connector == connector,
        contacts.c.pending.is_(True),
        contacts.c.dead.is_(False),
        contacts.c.writable.is_(True),
        contacts.c.score.is_not(None),
        contacts.c.tier.is_not(None),
        contacts.c.reasons.is_not(None),
        contacts.c.priority.is_not(None),
        sa.or_(contacts.c.attempt_run.is_(None), contacts.c.attempt_run != run_id),
    )
    rows: list[Any] = []
    if after is not None:
        rank, last = after
        rows = list(
            conn.execute(
                base.where(contacts.c.rank == rank, contacts.c.id > last)
                .order_by(contacts.c.id)
                .limit(chunk)
            ).all()
        )
        if len(rows) == chunk:
            return rows
        base = base.where(contacts.c.rank < rank)
    rows += conn.execute(
        base.order_by(contacts.c.rank.desc(), contacts.c.id).limit(chunk - len(rows))
    ).all()
    return rows


def write_queue(
    engine: sa.Engine, connector: str, run_id: str, chunk: int
) -> Iterator[PendingWrite | PendingAccount]:
    """Every queued write, contacts first; each chunk read in its own short transaction."""
    after: tuple[int, str] | None = None
    while True:
        with engine.connect() as conn:
            rows = _contact_chunk(conn, connector, run_id, after, chunk)
        for (
            cid,
            kind,
            score,
            tier,
            reasons,
            priority,
            probability,
            mql_at,
            drift,
            tries,
            _r,
        ) in rows:
            yield PendingWrite(
                id=cid,
                kind=kind,
                values=Desired(
                    score=score,
                    tier=tier,
                    reasons=reasons,
                    priority=bool(priority),
                    probability=probability,
                ),
                mql_at=mql_at,
                drift=drift,
                attempts=tries,
            )
        if len(rows) < chunk:
            break
        after = (rows[-1].rank, rows[-1].id)
    last: str | None = None
    while True:
        aquery = sa.select(accounts).where(
            accounts.c.connector == connector,
            accounts.c.pending.is_(True),
            accounts.c.dead.is_(False),
            accounts.c.score.is_not(None),
            accounts.c.summary.is_not(None),
            accounts.c.priority.is_not(None),
            sa.or_(accounts.c.attempt_run.is_(None), accounts.c.attempt_run != run_id),
        )
        if last is not None:
            aquery = aquery.where(accounts.c.id > last)
        with engine.connect() as conn:
            arows: list[Any] = list(conn.execute(aquery.order_by(accounts.c.id).limit(chunk)).all())
        for a in arows:
            yield PendingAccount(a.id, a.score, a.summary, bool(a.priority), a.attempts)
        if len(arows) < chunk:
            return
        last = arows[-1].id
