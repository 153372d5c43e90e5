"""``syncd report``'s breakdown by segment: per model the connector's contacts
were last scored with (``model_ref`` of the stored contact), how many contacts,
their average score, how many are MQLs, and the contacts per tier. Shown when
contacts were scored by more than one model (a connector with ``models:``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rich.table import Table

from syncd.state.schema import contacts

__all__ = ["SegmentFigures", "segment_figures", "segments_json", "segments_table"]


@dataclass(frozen=True, slots=True)
class SegmentFigures:
    """One segment: its model's ref and its contacts' figures."""

    model: str
    contacts: int
    average_score: float
    mqls: int
    tiers: dict[str, int] = field(default_factory=dict)


def segment_figures(engine: sa.Engine, connector: str) -> list[SegmentFigures]:
    """The scored contacts of ``connector`` by model, most contacts first."""
    c = contacts.c
    query = (
        sa.select(c.model_ref, c.tier, sa.func.count(), sa.func.sum(c.score), sa.func.sum(
            sa.case((c.mql.is_(True), 1), else_=0)))
        .where(c.connector == connector, c.model_ref.is_not(None))
        .group_by(c.model_ref, c.tier)
    )  # fmt: skip
    acc: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for ref, tier, n, total, mqls in conn.execute(query):
            a = acc.setdefault(ref, {"n": 0, "sum": 0, "mqls": 0, "tiers": {}})
            a["n"] += n
            a["sum"] += total or 0
            a["mqls"] += mqls or 0
            a["tiers"][tier or "-"] = n
    rows = [
        SegmentFigures(ref, a["n"], a["sum"] / a["n"], a["mqls"], a["tiers"])
        for ref, a in acc.items()
    ]
    rows.sort(key=lambda r: (-r.contacts, r.model))
    return rows


def segments_json(rows: Sequence[SegmentFigures]) -> dict[str, Any]:
    """``{"segments": [...]}`` for ``syncd report --json``."""
    return {
        "segments": [
            {
                "model": r.model,
                "contacts": r.contacts,
                "average_score": round(r.average_score, 1),
                "mqls": r.mqls,
                "tiers": r.tiers,
            }
            for r in rows
        ]
    }


def segments_table(connector: str, rows: Sequence[SegmentFigures]) -> Table:
    """The terminal table: one row per segment."""
    t = Table(title=f"{connector}: segments (contacts by model)", title_justify="left")
    t.add_column("model", no_wrap=True)
    t.add_column("contacts", justify="right")
    t.add_column("avg score", justify="right")
    t.add_column("MQLs", justify="right")
    t.add_column("tiers")
    for r in rows:
        tiers = ", ".join(f"{k} {n}" for k, n in sorted(r.tiers.items()))
        t.add_row(r.model, str(r.contacts), f"{r.average_score:.1f}", str(r.mqls), tiers)
    return t
