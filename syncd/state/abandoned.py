"""Runs left ``running`` by a process that died: marked ``abandoned``.

Only the holder of the connector's lock starts a run of that connector, so when
a holder starts one, every other run of the connector still marked ``running``
belongs to a process that stopped without finishing it (killed, crashed, lost
its lock).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from syncd.state.schema import runs

__all__ = ["ABANDONED", "abandon_runs"]

ABANDONED = "abandoned"
REASON = "the process running this cycle stopped before it finished"


def abandon_runs(conn: sa.Connection, connector: str, now: datetime) -> int:
    """Mark the connector's unfinished runs abandoned; returns how many."""
    done = conn.execute(
        sa.update(runs)
        .where(runs.c.connector == connector, runs.c.status == "running")
        .values(status=ABANDONED, finished_at=now, error=REASON)
    )
    return int(done.rowcount)
