"""The write queue's contact chunks: (rank desc, id) order across chunk
boundaries inside one rank, each write handed out once, and (SQLite) every
chunk read is a seek on ``ix_syncd_contact_pending`` without a sort."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from syncd.state import Store
from syncd.state.records import PendingWrite
from syncd.state.schema import contacts

C = "c1"
RUN = "run-2"

#: (id, rank) of the queued contacts: two at rank 9 (the first chunk of two
#: ends with the rank), five sharing rank 7 (three chunks of two cut inside
#: it), one at rank 3; inserted out of order.
QUEUED = [
    ("c07", 7),
    ("c03", 7),
    ("c09", 9),
    ("c05", 7),
    ("c01", 9),
    ("c04", 7),
    ("c08", 3),
    ("c06", 7),
]
ORDER = ["c01", "c09", "c03", "c04", "c05", "c06", "c07", "c08"]


def _row(cid: str, rank: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "connector": C,
        "id": cid,
        "kind": "contact",
        "data": "{}",
        "dirty": False,
        "pending": True,
        "rank": rank,
        "score": rank * 10,
        "tier": "warm",
        "reasons": f"r{cid}",
        "priority": False,
        "dead": False,
        "writable": True,
        "attempt_run": None,
    }
    return row | over  # every row the same keys: one executemany


@pytest.fixture
def store(state_url: str) -> Iterator[Store]:
    s = Store.open(state_url)
    rows = [_row(cid, rank) for cid, rank in QUEUED]
    rows += [  # not queued in this run: a higher rank each, so a leak shows first
        _row("x1", 50, pending=False),
        _row("x2", 50, dead=True),
        _row("x3", 50, writable=False),
        _row("x4", 50, attempt_run=RUN),
        _row("x5", 50, score=None),
        _row("x6", 50, connector="other"),
    ]
    with s.engine.begin() as conn:
        conn.execute(sa.insert(contacts), rows)
    yield s
    s.close()


def _ids(store: Store, chunk: int) -> list[str]:
    return [w.id for w in store.write_queue(C, RUN, chunk) if isinstance(w, PendingWrite)]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 500])
def test_contacts_come_once_in_rank_then_id_order_whatever_the_chunk(
    store: Store, chunk: int
) -> None:
    assert _ids(store, chunk) == ORDER


def test_a_write_recorded_while_the_queue_is_read_moves_nothing(store: Store) -> None:
    """Outcomes recorded between chunks (the handed-out writes no longer
    pending) neither repeat nor skip a write."""
    seen: list[str] = []
    for w in store.write_queue(C, RUN, 2):
        assert isinstance(w, PendingWrite)
        seen.append(w.id)
        with store.engine.begin() as conn:
            conn.execute(
                sa.update(contacts)
                .where(contacts.c.connector == C, contacts.c.id == w.id)
                .values(pending=False, attempt_run=RUN)
            )
    assert seen == ORDER


def test_every_contact_chunk_seeks_the_pending_index_without_sorting(tmp_path: Any) -> None:
    s = Store.open(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        with s.engine.begin() as conn:
            conn.execute(sa.insert(contacts), [_row(cid, rank) for cid, rank in QUEUED])
        seen: list[tuple[str, Any]] = []

        def capture(*args: Any) -> None:
            statement, params = args[2], args[3]
            if "FROM syncd_contact" in statement:
                seen.append((statement, params))

        sa.event.listen(s.engine, "before_cursor_execute", capture)
        assert _ids(s, 2) == ORDER
        sa.event.remove(s.engine, "before_cursor_execute", capture)
        keyset = 0
        with s.engine.connect() as conn:
            for statement, params in seen:
                plan = " / ".join(
                    str(r[-1])
                    for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
                )
                assert "USING INDEX ix_syncd_contact_pending" in plan, plan
                assert "TEMP B-TREE" not in plan, plan
                if "rank <" in statement or "rank =" in statement:
                    keyset += 1  # a chunk after the first seeks past what was handed out
                    assert "(connector=? AND pending=? AND rank" in plan, plan
        assert keyset == len(seen) - 1 > 3
    finally:
        s.close()
