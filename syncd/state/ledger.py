"""Scores, pending writes and the write ledger.

A contact is *pending* when what the core computes differs from what syncd
last wrote or from what the CRM currently holds (drift). Each write outcome
updates the ledger: ``ok`` records the written values; a failure that was not
a rate limit counts one attempt, and after ``dead_after`` attempts the
contact is dead-lettered (not retried until its desired values change).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from connectors.base import WriteOutcome
from syncd.state.records import PendingWrite, Scored, Values
from syncd.state.schema import contacts, score_history

__all__ = ["OutcomeCounts", "pending_writes", "record_outcomes", "save_scores"]


def _update_many(conn: sa.Connection, rows: Sequence[dict[str, object]]) -> None:
    """UPDATE contacts row by row (``b_connector``/``b_id`` pick the row, every other
    key is a column) as one executemany per set of columns."""
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(k for k in row if not k.startswith("b_"))),
                          []).append(row)
    for cols, group in groups.items():
        conn.execute(sa.update(contacts).where(
            contacts.c.connector == sa.bindparam("b_connector"),
            contacts.c.id == sa.bindparam("b_id")).values(
            {c: sa.bindparam(c) for c in cols}), group)


def save_scores(conn: sa.Connection, connector: str, scored: Sequence[Scored],
                clean: Sequence[str], run_id: str, now: datetime) -> None:
    """Store the verdicts, add score-history rows, clear ``dirty`` for ``clean``."""
    updates: list[dict[str, object]] = []
    history: list[dict[str, object]] = []
    for s in scored:
        v = s.values
        values: dict[str, object] = {
            "b_connector": connector, "b_id": s.id,
            "score": v.score, "tier": v.tier, "reasons": v.reasons, "priority": v.priority,
            "mql": s.mql, "model_ref": s.model_ref, "scored_at": now, "mql_at": s.mql_at,
            "pending": s.pending, "drift": s.drift, "rank": s.rank, "dirty": False,
        }
        if s.reset_ledger:
            values.update(attempts=0, dead=False, last_error=None)
        updates.append(values)
        if s.history:
            history.append({"connector": connector, "contact_id": s.id, "at": now,
                            "score": v.score, "tier": v.tier, "model_ref": s.model_ref,
                            "run_id": run_id})
    _update_many(conn, updates)
    if history:
        conn.execute(sa.insert(score_history), history)
    ids = list(clean)
    for i in range(0, len(ids), 500):
        conn.execute(sa.update(contacts).where(contacts.c.connector == connector,
                                               contacts.c.id.in_(ids[i:i + 500]))
                     .values(dirty=False))


def pending_writes(conn: sa.Connection, connector: str, run_id: str,
                   limit: int) -> list[PendingWrite]:
    """Up to ``limit`` pending, writable, live contacts not yet tried in this
    run, most important first (``rank`` desc, then id)."""
    rows = conn.execute(sa.select(contacts).where(
        contacts.c.connector == connector, contacts.c.pending.is_(True),
        contacts.c.dead.is_(False), contacts.c.writable.is_(True),
        sa.or_(contacts.c.attempt_run.is_(None), contacts.c.attempt_run != run_id))
        .order_by(contacts.c.rank.desc(), contacts.c.id).limit(limit)).all()
    return [PendingWrite(
        id=r.id, kind=r.kind, values=Values(score=r.score, tier=r.tier, reasons=r.reasons,
                                            priority=r.priority),
        mql_at=r.mql_at, drift=r.drift, attempts=r.attempts) for r in rows]


class OutcomeCounts:
    """Tally of one batch of outcomes."""

    def __init__(self) -> None:
        self.written = 0
        self.failed = 0
        self.dead = 0
        self.drift_repaired = 0


def record_outcomes(conn: sa.Connection, connector: str, run_id: str,
                    sent: Sequence[PendingWrite], outcomes: Sequence[WriteOutcome],
                    now: datetime, dead_after: int) -> OutcomeCounts:
    """Apply one outcome per sent write (same order) to the ledger."""
    counts = OutcomeCounts()
    rows: list[dict[str, object]] = []
    for w, o in zip(sent, outcomes, strict=True):
        v = w.values
        if o.status == "ok":
            rows.append({
                "b_connector": connector, "b_id": w.id,
                "w_score": v.score, "w_tier": v.tier, "w_reasons": v.reasons,
                "w_priority": v.priority, "written_at": now, "crm_read": True,
                "crm_score": v.score, "crm_tier": v.tier, "crm_reasons": v.reasons,
                "crm_priority": v.priority, "pending": False, "drift": False, "attempts": 0,
                "last_error": None, "attempt_run": run_id})
            counts.written += 1
            counts.drift_repaired += int(w.drift)
            continue
        counts.failed += 1
        attempts = w.attempts + (0 if o.rate_limited else 1)
        dead = attempts >= dead_after
        counts.dead += int(dead)
        reason = f"{o.status}: {o.reason}" if o.reason else o.status
        rows.append({"b_connector": connector, "b_id": w.id, "attempts": attempts,
                     "dead": dead, "last_error": reason[:2000], "attempt_run": run_id})
    _update_many(conn, rows)
    return counts
