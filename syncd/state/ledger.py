"""Persisting contact verdicts, pending writes and the write ledger.

What is pending, drifted or unchanged is decided by ``syncd.sync.writeback``;
this module stores it. Each write outcome updates the ledger: ``ok`` records
the written values, which the CRM now holds (the stored copy of its values
becomes them, so re-reading our own write marks nothing); a failure that was
not a rate limit counts one attempt, and after ``dead_after`` attempts the
contact is dead-lettered (not retried until its desired values change).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from connectors.base import WriteOutcome
from syncd.state.records import PendingWrite, Recheck, Scored
from syncd.state.schema import contacts, score_history

__all__ = ["OutcomeCounts", "failed_attempt", "record_outcomes", "save_rechecks", "save_scores"]


_SCORE_COLUMNS = (
    "score",
    "tier",
    "reasons",
    "priority",
    "probability",
    "mql",
    "model_ref",
    "mql_at",
    "pending",
    "drift",
    "rank",
)


def save_scores(
    conn: sa.Connection,
    connector: str,
    scored: Sequence[Scored],
    clean: Sequence[str],
    run_id: str,
    now: datetime,
    *,
    evidence: Sequence[tuple[str, str]] = (),
    evidence_ref: str | None = None,
) -> None:
    """Store the verdicts to persist (scored as of ``now``), add score-history
    rows, clear ``dirty`` and ``recheck`` of every verdict and of ``clean``.

    ``evidence``: (contact id, ``evidence_text``) pairs matched under
    ``evidence_ref`` (required with them), stored on their contact rows and
    changing nothing else there (``contacts.all_groups`` reads them back)."""
    if evidence:
        if evidence_ref is None:
            raise ValueError("stored evidence needs the evidence_ref it was matched under")
        b = sa.bindparam
        conn.execute(
            sa.update(contacts)
            .where(contacts.c.connector == connector, contacts.c.id == b("b_id"))
            .values(evidence=b("b_evidence"), evidence_ref=evidence_ref),
            [{"b_id": cid, "b_evidence": text} for cid, text in evidence],
        )
    for reset in (False, True):
        rows = [
            {
                "b_id": s.id,
                "b_score": s.values.score,
                "b_tier": s.values.tier,
                "b_reasons": s.values.reasons,
                "b_priority": s.values.priority,
                "b_probability": s.values.probability,
                "b_mql": s.mql,
                "b_model_ref": s.model_ref,
                "b_mql_at": s.mql_at,
                "b_pending": s.pending,
                "b_drift": s.drift,
                "b_rank": s.rank,
                "b_waiting": s.waiting,
            }
            for s in scored
            if s.persist and s.reset_ledger is reset
        ]
        if not rows:
            continue
        values: dict[str, object] = {c: sa.bindparam(f"b_{c}") for c in _SCORE_COLUMNS}
        values.update(dirty=False, recheck=sa.bindparam("b_waiting"), scored_at=now)
        if reset:
            values.update(attempts=0, dead=False, last_error=None)
        conn.execute(
            sa.update(contacts)
            .where(contacts.c.connector == connector, contacts.c.id == sa.bindparam("b_id"))
            .values(**values),
            rows,
        )
    history = [
        {
            "connector": connector,
            "contact_id": s.id,
            "at": now,
            "score": s.values.score,
            "tier": s.values.tier,
            "model_ref": s.model_ref,
            "run_id": run_id,
        }
        for s in scored
        if s.history
    ]
    if history:
        conn.execute(sa.insert(score_history), history)
    for keep, ids in (
        (False, [*clean, *(s.id for s in scored if not s.persist and not s.waiting)]),
        (True, [s.id for s in scored if not s.persist and s.waiting]),
    ):
        for i in range(0, len(ids), 500):
            conn.execute(
                sa.update(contacts)
                .where(
                    contacts.c.connector == connector,
                    contacts.c.id.in_(ids[i : i + 500]),
                    sa.or_(contacts.c.dirty.is_(True), contacts.c.recheck.is_(not keep)),
                )
                .values(dirty=False, recheck=keep)
            )


def save_rechecks(conn: sa.Connection, connector: str, verdicts: Sequence[Recheck]) -> None:
    """Store re-diffs and clear ``recheck`` (kept while ``waiting``)."""
    if verdicts:
        b = sa.bindparam
        conn.execute(
            sa.update(contacts)
            .where(contacts.c.connector == connector, contacts.c.id == b("b_id"))
            .values(
                pending=b("b_pending"), drift=b("b_drift"), rank=b("b_rank"), recheck=b("b_wait")
            ),
            [
                {
                    "b_id": v.id,
                    "b_pending": v.pending,
                    "b_drift": v.drift,
                    "b_rank": v.rank,
                    "b_wait": v.waiting,
                }
                for v in verdicts
            ],
        )


def failed_attempt(attempts: int, o: WriteOutcome, dead_after: int) -> tuple[int, bool, str]:
    """The ledger after a failed write of a record tried ``attempts`` times:
    (attempts, dead-lettered, last error). A rate limit is not counted; a final
    refusal (a portal's validation rule) dead-letters at once."""
    attempts += 0 if o.rate_limited else 1
    reason = f"{o.status}: {o.reason}" if o.reason else o.status
    return attempts, attempts >= dead_after or o.final, reason[:2000]


class OutcomeCounts:
    """Tally of one batch of outcomes."""

    def __init__(self) -> None:
        self.written = 0
        self.failed = 0
        self.dead = 0
        self.drift_repaired = 0


def record_outcomes(
    conn: sa.Connection,
    connector: str,
    run_id: str,
    sent: Sequence[PendingWrite],
    outcomes: Sequence[WriteOutcome],
    now: datetime,
    dead_after: int,
) -> OutcomeCounts:
    """Apply one outcome per sent write (same order) to the ledger."""
    counts = OutcomeCounts()
    ok: list[dict[str, object]] = []
    for w, o in zip(sent, outcomes, strict=True):
        v = w.values
        if o.status == "ok":
            ok.append(
                {
                    "b_id": w.id,
                    "b_score": v.score,
                    "b_tier": v.tier,
                    "b_reasons": v.reasons,
                    "b_priority": v.priority,
                    "b_probability": v.probability,
                }
            )
            counts.written += 1
            counts.drift_repaired += int(w.drift)
            continue
        counts.failed += 1
        attempts, dead, reason = failed_attempt(w.attempts, o, dead_after)
        counts.dead += int(dead)
        conn.execute(
            sa.update(contacts)
            .where(contacts.c.connector == connector, contacts.c.id == w.id)
            .values(attempts=attempts, dead=dead, last_error=reason, attempt_run=run_id)
        )
    if ok:
        b = sa.bindparam
        conn.execute(
            sa.update(contacts)
            .where(contacts.c.connector == connector, contacts.c.id == b("b_id"))
            .values(
                w_score=b("b_score"),
                w_tier=b("b_tier"),
                w_reasons=b("b_reasons"),
                w_priority=b("b_priority"),
                w_probability=b("b_probability"),
                written_at=now,
                crm_read=True,
                crm_score=b("b_score"),
                crm_tier=b("b_tier"),
                crm_reasons=b("b_reasons"),
                crm_priority=b("b_priority"),
                crm_probability=b("b_probability"),
                pending=False,
                drift=False,
                attempts=0,
                last_error=None,
                attempt_run=run_id,
            ),
            ok,
        )
    return counts
