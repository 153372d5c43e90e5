"""CRM outcomes in the state store: upserted from pulled pages by (contact,
key), moved to the survivor on a merge, removed with their contact, read back
as ``syncd.core.outcomes.Outcome`` values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connectors.base import OutcomeRecord
from syncd.core.outcomes import Outcome
from syncd.state.schema import outcomes

__all__ = ["load_outcomes", "merge_outcomes", "save_outcomes", "with_outcomes"]

IN_CHUNK = 500


def save_outcomes(conn: sa.Connection, connector: str, records: Sequence[OutcomeRecord]) -> int:
    """Upsert ``records`` (a repeated (contact, key) in one call: last wins);
    returns how many rows were new or changed."""
    latest = {(r.contact_id, r.key): r for r in records}
    changed = 0
    for (cid, key), r in latest.items():
        values = {"kind": r.kind, "at": r.at, "amount": r.amount, "detail": r.detail}
        row = conn.execute(
            sa.select(outcomes.c.kind, outcomes.c.at, outcomes.c.amount, outcomes.c.detail).where(
                outcomes.c.connector == connector,
                outcomes.c.contact_id == cid,
                outcomes.c.key == key,
            )
        ).first()
        if row is None:
            conn.execute(
                sa.insert(outcomes).values(connector=connector, contact_id=cid, key=key, **values)
            )
        elif tuple(row) != (r.kind, r.at, r.amount, r.detail):
            conn.execute(
                sa.update(outcomes)
                .where(
                    outcomes.c.connector == connector,
                    outcomes.c.contact_id == cid,
                    outcomes.c.key == key,
                )
                .values(**values)
            )
        else:
            continue
        changed += 1
    return changed


def merge_outcomes(conn: sa.Connection, connector: str, loser: str, survivor: str) -> None:
    """Copy the loser's outcomes to the survivor (the survivor's own row wins
    on a shared key); the loser's rows leave with the loser
    (``erase.erase_contacts``)."""
    rows = conn.execute(
        sa.select(outcomes).where(outcomes.c.connector == connector, outcomes.c.contact_id == loser)
    ).all()
    for row in rows:
        exists = conn.execute(
            sa.select(outcomes.c.key).where(
                outcomes.c.connector == connector,
                outcomes.c.contact_id == survivor,
                outcomes.c.key == row.key,
            )
        ).first()
        if exists is None:
            conn.execute(
                sa.insert(outcomes).values(
                    connector=connector,
                    contact_id=survivor,
                    key=row.key,
                    kind=row.kind,
                    at=row.at,
                    amount=row.amount,
                    detail=row.detail,
                )
            )


def load_outcomes(
    conn: sa.Connection, connector: str, ids: Sequence[str] | None = None
) -> dict[str, tuple[Outcome, ...]]:
    """Outcomes by contact id, oldest first (ties by key); only contacts that
    have any. ``ids`` limits the read to those contacts."""
    base = sa.select(outcomes).where(outcomes.c.connector == connector)
    queries = (
        [base]
        if ids is None
        else [
            base.where(outcomes.c.contact_id.in_(ids[i : i + IN_CHUNK]))
            for i in range(0, len(ids), IN_CHUNK)
        ]
    )
    found: dict[str, list[Outcome]] = {}
    for q in queries:
        for row in conn.execute(q):
            found.setdefault(row.contact_id, []).append(
                Outcome(kind=row.kind, at=row.at, key=row.key, amount=row.amount, detail=row.detail)
            )
    return {cid: tuple(sorted(items, key=lambda o: (o.at, o.key))) for cid, items in found.items()}


def with_outcomes(data: dict[str, Any], found: Sequence[Outcome]) -> dict[str, Any]:
    """A contact's canonical JSON with its outcomes as ``outcomes`` (none: unchanged)."""
    if not found:
        return data
    rows = [
        {
            "kind": o.kind,
            "at": o.at.isoformat().replace("+00:00", "Z"),
            "key": o.key,
            **({"amount": o.amount} if o.amount is not None else {}),
            **({"detail": o.detail} if o.detail else {}),
        }
        for o in found
    ]
    return {**data, "outcomes": rows}
