"""Account scores and their write ledger (the account rows of ``syncd_account``).

An account is *pending* when its computed score differs from the CRM's value
(when read) or from the last written one, or its summary or priority flag
differs from the last written ones. Outcomes follow the contact ledger's
rules: rate limits do not count, ``dead_after`` failures dead-letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from connectors.base import WriteOutcome
from syncd.state.schema import accounts

__all__ = ["AccountVerdict", "PendingAccount", "pending_accounts", "record_account_outcomes",
           "save_account_scores"]


@dataclass(frozen=True, slots=True)
class AccountVerdict:
    id: str
    score: int
    summary: str
    priority: bool


@dataclass(frozen=True, slots=True)
class PendingAccount:
    id: str
    score: int
    summary: str
    priority: bool
    attempts: int


def save_account_scores(conn: sa.Connection, connector: str,
                        verdicts: Sequence[AccountVerdict]) -> None:
    """Store computed account values for stored accounts; set ``pending``.
    Rows whose values and pending flag are unchanged are not rewritten; the
    others go in two executemany statements (with and without a ledger reset)."""
    ids = [v.id for v in verdicts]
    rows: dict[str, Any] = {}
    for i in range(0, len(ids), 500):
        for r in conn.execute(sa.select(accounts.c.id, accounts.c.crm_score, accounts.c.w_score,
                                        accounts.c.w_summary, accounts.c.w_priority,
                                        accounts.c.score, accounts.c.summary,
                                        accounts.c.priority, accounts.c.pending).where(
                accounts.c.connector == connector, accounts.c.id.in_(ids[i:i + 500]))):
            rows[r.id] = r
    keep: list[dict[str, object]] = []
    reset: list[dict[str, object]] = []
    for v in verdicts:
        row = rows.get(v.id)
        if row is None:
            continue  # an account key with no stored CRM account
        baseline = row.crm_score if row.crm_score is not None else row.w_score
        pending = (baseline != v.score or row.w_summary != v.summary
                   or row.w_priority != v.priority)
        same = (row.score, row.summary, row.priority) == (v.score, v.summary, v.priority)
        if same and bool(row.pending) == pending:
            continue
        (keep if same else reset).append({"b_id": v.id, "b_score": v.score,
                                          "b_summary": v.summary, "b_priority": v.priority,
                                          "b_pending": pending})
    for batch, clear in ((keep, False), (reset, True)):
        if not batch:
            continue
        values: dict[str, object] = {c: sa.bindparam(f"b_{c}")
                                     for c in ("score", "summary", "priority", "pending")}
        if clear:
            values.update(attempts=0, dead=False, last_error=None)
        conn.execute(sa.update(accounts).where(accounts.c.connector == connector,
                                               accounts.c.id == sa.bindparam("b_id"))
                     .values(**values), batch)


def pending_accounts(conn: sa.Connection, connector: str, run_id: str,
                     limit: int) -> list[PendingAccount]:
    rows = conn.execute(sa.select(accounts).where(
        accounts.c.connector == connector, accounts.c.pending.is_(True),
        accounts.c.dead.is_(False),
        sa.or_(accounts.c.attempt_run.is_(None), accounts.c.attempt_run != run_id))
        .order_by(accounts.c.id).limit(limit)).all()
    return [PendingAccount(r.id, r.score, r.summary or "", bool(r.priority), r.attempts)
            for r in rows]


def record_account_outcomes(conn: sa.Connection, connector: str, run_id: str,
                            sent: Sequence[PendingAccount], outcomes: Sequence[WriteOutcome],
                            dead_after: int) -> tuple[int, int, int]:
    """Apply outcomes; returns (written, failed, dead-lettered)."""
    written = failed = dead_n = 0
    for a, o in zip(sent, outcomes, strict=True):
        where = (accounts.c.connector == connector, accounts.c.id == a.id)
        if o.status == "ok":
            conn.execute(sa.update(accounts).where(*where).values(
                w_score=a.score, w_summary=a.summary, w_priority=a.priority,
                crm_score=a.score, pending=False, attempts=0, last_error=None,
                attempt_run=run_id))
            written += 1
            continue
        failed += 1
        attempts = a.attempts + (0 if o.rate_limited else 1)
        dead = attempts >= dead_after or o.final
        dead_n += int(dead)
        reason = f"{o.status}: {o.reason}" if o.reason else o.status
        conn.execute(sa.update(accounts).where(*where).values(
            attempts=attempts, dead=dead, last_error=reason[:2000], attempt_run=run_id))
    return written, failed, dead_n
