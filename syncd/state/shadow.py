"""Shadow-model scores in the state store: the latest score of each contact
by each model a connector compares (its live model and its
``shadow_models``), when that model first scored it and first flagged it as
an MQL (kept once set). Read back for the champion/challenger comparison;
nothing here is ever written to a CRM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from syncd.state.pages import chunks
from syncd.state.schema import shadow_scores

__all__ = ["ShadowRow", "load_shadow_scores", "save_shadow_scores"]


@dataclass(frozen=True, slots=True)
class ShadowRow:
    contact_id: str
    score: int
    tier: str
    mql: bool
    #: Set when read back: when the model first scored / first flagged the contact.
    first_at: datetime | None = None
    mql_at: datetime | None = None


def save_shadow_scores(
    conn: sa.Connection,
    connector: str,
    model_ref: str,
    live: bool,
    rows: Sequence[ShadowRow],
    now: datetime,
) -> None:
    """Upsert ``rows`` (scored at ``now``) on ``conn``; the caller commits."""
    t = shadow_scores
    known: dict[str, datetime | None] = {}
    for part in chunks([r.contact_id for r in rows]):
        for cid, mql_at in conn.execute(
            sa.select(t.c.contact_id, t.c.mql_at).where(
                t.c.connector == connector, t.c.model_ref == model_ref, t.c.contact_id.in_(part)
            )
        ):
            known[cid] = mql_at
    new = [
        {
            "connector": connector,
            "model_ref": model_ref,
            "contact_id": r.contact_id,
            "live": live,
            "score": r.score,
            "tier": r.tier,
            "first_at": now,
            "scored_at": now,
            "mql_at": now if r.mql else None,
        }
        for r in rows
        if r.contact_id not in known
    ]
    if new:
        conn.execute(sa.insert(t), new)
    changed = [
        {
            "cid": r.contact_id,
            "score": r.score,
            "tier": r.tier,
            "scored_at": now,
            "mql_at": now if r.mql and known[r.contact_id] is None else known[r.contact_id],
        }
        for r in rows
        if r.contact_id in known
    ]
    if changed:
        conn.execute(
            sa.update(t)
            .where(
                t.c.connector == connector,
                t.c.model_ref == model_ref,
                t.c.contact_id == sa.bindparam("cid"),
            )
            .values(
                score=sa.bindparam("score"),
                tier=sa.bindparam("tier"),
                scored_at=sa.bindparam("scored_at", type_=t.c.scored_at.type),
                mql_at=sa.bindparam("mql_at", type_=t.c.mql_at.type),
            ),
            changed,
        )


def load_shadow_scores(
    engine: sa.Engine, connector: str
) -> dict[tuple[str, bool], list[ShadowRow]]:
    """Every stored row of ``connector`` by (model ref, live)."""
    t = shadow_scores
    out: dict[tuple[str, bool], list[ShadowRow]] = {}
    with engine.connect() as conn:
        for row in conn.execute(
            sa.select(t).where(t.c.connector == connector).order_by(t.c.model_ref, t.c.contact_id)
        ):
            out.setdefault((row.model_ref, bool(row.live)), []).append(
                ShadowRow(
                    row.contact_id,
                    row.score,
                    row.tier,
                    row.mql_at is not None,
                    row.first_at,
                    row.mql_at,
                )
            )
    return out
