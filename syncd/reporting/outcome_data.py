"""Reads for the KPIs (``syncd.reporting.kpis``) from the state store: each scored
contact's current score, tier and MQL date with its CRM outcomes, and when the current
model started scoring (the last model change). Reads only."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from syncd.reporting.kpis import LeadFacts
from syncd.state.outcomes import load_outcomes
from syncd.state.schema import contacts, score_history

__all__ = ["lead_facts", "model_changed_at"]


def lead_facts(engine: sa.Engine, connector: str) -> list[LeadFacts]:
    """Every scored contact with its outcomes."""
    c = contacts.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(c.id, c.score, c.tier, c.mql_at).where(
                c.connector == connector, c.score.is_not(None), c.tier.is_not(None)
            )
        ).all()
        found = load_outcomes(conn, connector)
    return [
        LeadFacts(str(r.id), int(r.score), str(r.tier), r.mql_at, found.get(str(r.id), ()))
        for r in rows
    ]


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
