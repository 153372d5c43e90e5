"""A rescore leaves the stored rows it does not change alone (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, make_engine, write_config


def test_a_rescore_that_changes_nothing_updates_no_contact_row(
    tmp_path: Path, state_url: str
) -> None:
    crm = MemoryCRM()
    seed(crm)
    app, _ = make_engine(write_config(tmp_path, state_url), crm)
    assert run_cycle(app, NAME).status == "ok"
    assert run_cycle(app, NAME, rescore_only=True).status == "ok"
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    sa.event.listen(app.store.engine, "before_cursor_execute", seen)
    try:
        r = run_cycle(app, NAME, rescore_only=True)  # the same instant: nothing moves
    finally:
        sa.event.remove(app.store.engine, "before_cursor_execute", seen)
    assert r.status == "ok" and r.scored == len(crm.contacts) and r.written == 0
    assert any(s.startswith("SELECT") and "syncd_contact" in s for s in statements)
    assert not [s for s in statements if s.startswith("UPDATE syncd_contact")]


def test_the_pending_count_is_the_pending_of_the_full_counts(
    tmp_path: Path, state_url: str
) -> None:
    """``pending_count`` (read through the pending index) agrees with ``counts``
    while writes fail, wait for a retry and are dead-lettered."""
    crm = MemoryCRM()
    seed(crm)
    crm.failures["003A2"] = ["rejected"] * 5
    crm.failures["003A3"] = ["retriable"]
    app, _ = make_engine(write_config(tmp_path, state_url), crm)
    seen = []
    for _ in range(6):
        assert run_cycle(app, NAME).status == "ok"
        counts = app.store.counts(NAME)
        assert app.store.pending_count(NAME) == counts.pending
        seen.append((counts.pending, counts.dead))
    assert seen[0] == (2, 0) and seen[-1] == (0, 1)
