"""Read-only queries behind ``syncd report``, ``syncd runs`` and the daemon's
state gauges: what the stored contacts, accounts and runs add up to.

Every function takes the store's SQLAlchemy engine and a connector name and
only reads; nothing here calls a CRM or changes a row. Aggregates are computed
in SQL (counts by tier, by score, by day) so they stay cheap on large portals;
only the top-N lists and the run history return rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from syncd.state.schema import accounts, contacts, runs

__all__ = [
    "AccountRow",
    "LeadRow",
    "LedgerCounts",
    "RunRecord",
    "account_rows",
    "ledger_counts",
    "mql_days",
    "run_records",
    "score_counts",
    "tier_counts",
    "top_leads",
]

#: The tier of stored contacts that were never scored (or could not be).
UNSCORED = "(unscored)"


@dataclass(frozen=True, slots=True)
class LeadRow:
    """A scored contact with who it is (title, company) and why (its reasons)."""

    id: str
    score: int
    tier: str
    reasons: str
    title: str
    company: str
    email: str


@dataclass(frozen=True, slots=True)
class AccountRow:
    """An account's computed score fields and how many stored contacts it has."""

    id: str
    name: str
    score: int
    summary: str
    priority: bool
    contacts: int


@dataclass(frozen=True, slots=True)
class LedgerCounts:
    """The write ledger now: contacts stored, pending, drifted and dead-lettered writes."""

    contacts: int
    pending: int
    drift: int
    dead: int
    accounts_pending: int
    accounts_dead: int


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One stored run; ``report`` is the cycle report's JSON (empty while running)."""

    run_id: str
    connector: str
    kind: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    report: Mapping[str, Any]
    error: str | None

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds())

    def count(self, key: str) -> int:
        value = self.report.get(key)
        return int(value) if isinstance(value, int | float) else 0

    @property
    def calls(self) -> dict[str, int]:
        raw = self.report.get("api_calls")
        return {str(k): int(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}


def _sum_if(cond: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def tier_counts(engine: sa.Engine, connector: str) -> dict[str, int]:
    """Stored contacts by their current tier (``UNSCORED`` for none)."""
    c = contacts.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(c.tier, sa.func.count()).where(c.connector == connector).group_by(c.tier)
        ).all()
    return {(tier if tier is not None else UNSCORED): int(n) for tier, n in rows}


def score_counts(engine: sa.Engine, connector: str) -> dict[int, int]:
    """Scored contacts by score value (a histogram's raw data)."""
    c = contacts.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(c.score, sa.func.count())
            .where(c.connector == connector, c.score.is_not(None))
            .group_by(c.score)
        ).all()
    return {int(score): int(n) for score, n in rows}


def mql_days(engine: sa.Engine, connector: str, since: datetime | None = None) -> dict[str, int]:
    """Contacts by the UTC day (``YYYY-MM-DD``) they entered an MQL tier
    (``mql_at``: set by the cycle that first scored them MQL), from ``since`` on."""
    c = contacts.c
    day = sa.func.substr(c.mql_at, 1, 10)
    cond = [c.connector == connector, c.mql_at.is_not(None)]
    if since is not None:
        cond.append(c.mql_at >= since)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(day, sa.func.count()).where(*cond).group_by(day)).all()
    return {str(d): int(n) for d, n in rows}


def top_leads(engine: sa.Engine, connector: str, n: int = 10) -> list[LeadRow]:
    """The ``n`` highest-scored contacts (ties by id)."""
    c = contacts.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(c.id, c.score, c.tier, c.reasons, c.data, accounts.c.data.label("account"))
            .select_from(
                contacts.outerjoin(
                    accounts,
                    sa.and_(
                        accounts.c.connector == c.connector,
                        accounts.c.id == sa.func.coalesce(c.account_id, c.resolved_account_id),
                    ),
                )
            )
            .where(c.connector == connector, c.score.is_not(None))
            .order_by(c.score.desc(), c.id)
            .limit(n)
        ).all()
    out = []
    for r in rows:
        data = json.loads(r.data)
        props = data.get("properties") or {}
        account = json.loads(r.account) if r.account else {}
        out.append(
            LeadRow(
                id=r.id,
                score=int(r.score),
                tier=r.tier or "",
                reasons=r.reasons or "",
                title=str(props.get("title") or "").strip(),
                company=str(account.get("name") or data.get("company") or "").strip(),
                email=str(data.get("email") or ""),
            )
        )
    return out


def account_rows(engine: sa.Engine, connector: str, n: int = 10) -> tuple[list[AccountRow], int]:
    """Accounts with a computed score, priority accounts first, then by score
    (the ``n`` first), and how many scored accounts there are in all."""
    a, c = accounts.c, contacts.c
    members = (
        sa.select(sa.func.count())
        .where(
            c.connector == a.connector,
            sa.func.coalesce(c.account_id, c.resolved_account_id) == a.id,
        )
        .correlate(accounts)
        .scalar_subquery()
    )
    scored = [a.connector == connector, a.score.is_not(None)]
    with engine.connect() as conn:
        total = int(conn.execute(sa.select(sa.func.count()).where(*scored)).scalar_one())
        rows = conn.execute(
            sa.select(a.id, a.data, a.score, a.summary, a.priority, members.label("members"))
            .where(*scored)
            .order_by(sa.func.coalesce(a.priority, False).desc(), a.score.desc(), a.id)
            .limit(n)
        ).all()
    out = [
        AccountRow(
            id=r.id,
            name=str(json.loads(r.data).get("name") or r.id),
            score=int(r.score),
            summary=r.summary or "",
            priority=bool(r.priority),
            contacts=int(r.members),
        )
        for r in rows
    ]
    return out, total


def ledger_counts(engine: sa.Engine, connector: str) -> LedgerCounts:
    """The write ledger as it stands."""
    c, a = contacts.c, accounts.c
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                sa.func.count(),
                _sum_if(sa.and_(c.pending.is_(True), c.dead.is_(False), c.writable.is_(True))),
                _sum_if(c.drift.is_(True)),
                _sum_if(c.dead.is_(True)),
            ).where(c.connector == connector)
        ).one()
        acc = conn.execute(
            sa.select(
                _sum_if(sa.and_(a.pending.is_(True), a.dead.is_(False))), _sum_if(a.dead.is_(True))
            ).where(a.connector == connector)
        ).one()
    return LedgerCounts(
        int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(acc[0]), int(acc[1])
    )


def run_records(
    engine: sa.Engine,
    connector: str | None = None,
    *,
    since: datetime | None = None,
    last: int | None = None,
) -> list[RunRecord]:
    """Stored runs, newest first: of one connector (or all), started at or
    after ``since``, at most ``last``."""
    r = runs.c
    query = sa.select(runs).order_by(r.started_at.desc(), r.run_id)
    if connector is not None:
        query = query.where(r.connector == connector)
    if since is not None:
        query = query.where(r.started_at >= since)
    if last is not None:
        query = query.limit(last)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        RunRecord(
            x.run_id,
            x.connector,
            x.kind,
            x.started_at,
            x.finished_at,
            x.status,
            json.loads(x.report) if x.report else {},
            x.error,
        )
        for x in rows
    ]
