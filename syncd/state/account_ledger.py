"""Persisting account verdicts and their write ledger (the account rows of
``syncd_account``).

What is pending is decided by ``syncd.sync.writeback``; this module stores
it. Outcomes follow the contact ledger's rules: rate limits do not count,
``dead_after`` failures dead-letter; an ``ok`` write records the written
values, which the CRM now holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from connectors.base import WriteOutcome
from syncd.state.ledger import failed_attempt
from syncd.state.records import AccountState, AccountValues, AccountVerdict
from syncd.state.schema import accounts

__all__ = [
    "PendingAccount",
    "account_rechecks",
    "account_states",
    "record_account_outcomes",
    "save_account_rechecks",
    "save_account_verdicts",
]


@dataclass(frozen=True, slots=True)
class PendingAccount:
    id: str
    score: int
    summary: str
    priority: bool
    attempts: int


def _values(score: Any, summary: Any, priority: Any) -> AccountValues | None:
    if score is None or summary is None or priority is None:
        return None
    return AccountValues(score=score, summary=summary, priority=bool(priority))


_STATE = (
    accounts.c.id,
    accounts.c.crm_score,
    accounts.c.score,
    accounts.c.summary,
    accounts.c.priority,
    accounts.c.w_score,
    accounts.c.w_summary,
    accounts.c.w_priority,
    accounts.c.pending,
)


def _state(r: Any) -> AccountState:
    """The ``AccountState`` of a row of ``_STATE`` (unpacked: a row's named
    attributes cost ten times more)."""
    aid, crm_score, score, summary, priority, w_score, w_summary, w_priority, pending = r
    return AccountState(
        aid,
        crm_score,
        _values(score, summary, priority),
        _values(w_score, w_summary, w_priority),
        bool(pending),
    )


#: one statement for every chunk of ids (an expanding parameter: the ids are
#: bound at execution, not built into the statement one by one)
_STATES = sa.select(*_STATE).where(
    accounts.c.connector == sa.bindparam("connector"),
    accounts.c.id.in_(sa.bindparam("ids", expanding=True)),
)


def account_states(
    conn: sa.Connection, connector: str, ids: Sequence[str]
) -> dict[str, AccountState]:
    """The stored accounts among ``ids``."""
    out: dict[str, AccountState] = {}
    ids = sorted(set(ids))
    for i in range(0, len(ids), 500):
        for r in conn.execute(_STATES, {"connector": connector, "ids": ids[i : i + 500]}):
            out[r[0]] = _state(r)
    return out


def save_account_verdicts(
    conn: sa.Connection, connector: str, verdicts: Sequence[AccountVerdict]
) -> None:
    """Store account verdicts (two executemany statements: with and without
    a ledger reset)."""
    for clear in (False, True):
        batch = [
            {
                "b_id": v.id,
                "b_score": v.values.score,
                "b_summary": v.values.summary,
                "b_priority": v.values.priority,
                "b_pending": v.pending,
            }
            for v in verdicts
            if v.reset_ledger is clear
        ]
        if not batch:
            continue
        values: dict[str, object] = {
            c: sa.bindparam(f"b_{c}") for c in ("score", "summary", "priority", "pending")
        }
        if clear:
            values.update(attempts=0, dead=False, last_error=None)
        conn.execute(
            sa.update(accounts)
            .where(accounts.c.connector == connector, accounts.c.id == sa.bindparam("b_id"))
            .values(**values),
            batch,
        )


def account_rechecks(conn: sa.Connection, connector: str, limit: int) -> list[AccountState]:
    """Up to ``limit`` accounts marked ``recheck``."""
    return [
        _state(r)
        for r in conn.execute(
            sa.select(*_STATE)
            .where(accounts.c.connector == connector, accounts.c.recheck.is_(True))
            .order_by(accounts.c.id)
            .limit(limit)
        )
    ]


def save_account_rechecks(
    conn: sa.Connection, connector: str, verdicts: Sequence[tuple[str, bool | None]]
) -> None:
    """Store (id, pending) re-diffs (None: keep the flag) and clear ``recheck``."""
    b = sa.bindparam
    where = (accounts.c.connector == connector, accounts.c.id == b("b_id"))
    keep = [{"b_id": i} for i, p in verdicts if p is None]
    new = [{"b_id": i, "b_pending": p} for i, p in verdicts if p is not None]
    if keep:
        conn.execute(sa.update(accounts).where(*where).values(recheck=False), keep)
    if new:
        conn.execute(
            sa.update(accounts).where(*where).values(recheck=False, pending=b("b_pending")), new
        )


def record_account_outcomes(
    conn: sa.Connection,
    connector: str,
    run_id: str,
    sent: Sequence[PendingAccount],
    outcomes: Sequence[WriteOutcome],
    dead_after: int,
) -> tuple[int, int, int]:
    """Apply outcomes; returns (written, failed, dead-lettered)."""
    written = failed = dead_n = 0
    ok: list[dict[str, object]] = []
    for a, o in zip(sent, outcomes, strict=True):
        if o.status == "ok":
            ok.append(
                {"b_id": a.id, "b_score": a.score, "b_summary": a.summary, "b_priority": a.priority}
            )
            written += 1
            continue
        failed += 1
        attempts, dead, reason = failed_attempt(a.attempts, o, dead_after)
        dead_n += int(dead)
        conn.execute(
            sa.update(accounts)
            .where(accounts.c.connector == connector, accounts.c.id == a.id)
            .values(attempts=attempts, dead=dead, last_error=reason, attempt_run=run_id)
        )
    if ok:
        b = sa.bindparam
        conn.execute(
            sa.update(accounts)
            .where(accounts.c.connector == connector, accounts.c.id == b("b_id"))
            .values(
                w_score=b("b_score"),
                w_summary=b("b_summary"),
                w_priority=b("b_priority"),
                crm_score=b("b_score"),
                pending=False,
                attempts=0,
                last_error=None,
                attempt_run=run_id,
            ),
            ok,
        )
    return written, failed, dead_n
