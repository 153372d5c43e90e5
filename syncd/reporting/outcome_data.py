"""Reads for the KPIs (``syncd.reporting.kpis``) from the state store: each scored
contact's current score, tier and MQL date with its CRM outcomes, and when the current
model started scoring (the last model change). Reads only. A converted lead kept as a
record of its own is one person with the record it became (``kpi_people``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from syncd.reporting.kpi_people import one_per_person
from syncd.reporting.kpis import LeadFacts
from syncd.state.outcomes import load_outcomes
from syncd.state.schema import contacts, score_history

__all__ = ["lead_facts", "model_changed_at"]


def lead_facts(
    engine: sa.Engine, connector: str, changed_at: datetime | None = None
) -> list[LeadFacts]:
    """Every scored person with its outcomes, when it was first scored, and (with
    ``changed_at``) the score and tier of its last score-history row before it."""
    c, h = contacts.c, score_history.c
    mine = h.connector == connector
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(c.id, c.score, c.tier, c.mql_at).where(
                c.connector == connector, c.score.is_not(None), c.tier.is_not(None)
            )
        ).all()
        found = load_outcomes(conn, connector)
        first: dict[str, datetime] = {
            str(cid): at
            for cid, at in conn.execute(
                sa.select(h.contact_id, sa.func.min(h.at)).where(mine).group_by(h.contact_id)
            )
        }
        then: dict[str, tuple[int, str]] = {}
        if changed_at is not None:
            last = (
                sa.select(sa.func.max(h.seq))
                .where(mine, h.at < changed_at)
                .group_by(h.contact_id)
                .scalar_subquery()
            )
            for cid, score, tier in conn.execute(
                sa.select(h.contact_id, h.score, h.tier).where(h.seq.in_(last))
            ):
                then[str(cid)] = (int(score), str(tier))
    out = []
    for r in rows:
        old = then.get(str(r.id))
        out.append(
            LeadFacts(
                str(r.id),
                int(r.score),
                str(r.tier),
                r.mql_at,
                found.get(str(r.id), ()),
                first_scored_at=first.get(str(r.id)),
                score_then=old[0] if old else None,
                tier_then=old[1] if old else None,
            )
        )
    return one_per_person(out, found)


def model_changed_at(engine: sa.Engine, connector: str) -> datetime | None:
    """When the model of the newest score-history row started scoring after another
    model did; None when the history knows one model only."""
    h = score_history.c
    with engine.connect() as conn:
        newest = conn.execute(
            sa.select(h.model_ref).where(h.connector == connector).order_by(h.seq.desc()).limit(1)
        ).scalar()
        if newest is None:
            return None
        last_other = conn.execute(
            sa.select(sa.func.max(h.seq)).where(h.connector == connector, h.model_ref != newest)
        ).scalar()
        if last_other is None:
            return None
        started = conn.execute(
            sa.select(sa.func.min(h.at)).where(h.connector == connector, h.seq > last_other)
        ).scalar()
    return started if isinstance(started, datetime) else None
