"""Everything the state store holds about one person (a subject-access request,
``syncd export --contact ID``): the contact row (canonical JSON, stored form,
scoring evidence, the CRM's, computed and written values of syncd's fields,
the write ledger), its activities, its score history and its CRM outcomes, as
plain JSON."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from syncd.state.schema import activities, contacts, outcomes, score_history

__all__ = ["subject_access"]

_JSON_COLUMNS = frozenset({"data", "form", "acts", "evidence"})


def _plain(column: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if column in _JSON_COLUMNS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _rows(conn: sa.Connection, query: sa.Select[Any]) -> list[dict[str, Any]]:
    return [
        {k: _plain(k, v) for k, v in row._mapping.items() if k != "connector"}
        for row in conn.execute(query)
    ]


def subject_access(engine: sa.Engine, connector: str, contact_id: str) -> dict[str, Any] | None:
    """What syncd holds about contact ``contact_id`` of ``connector`` (None: nothing)."""
    with engine.connect() as conn:
        found = _rows(
            conn,
            sa.select(contacts).where(
                contacts.c.connector == connector, contacts.c.id == contact_id
            ),
        )
        if not found:
            return None
        return {
            "connector": connector,
            "contact": found[0],
            "activities": _rows(
                conn,
                sa.select(activities)
                .where(activities.c.connector == connector, activities.c.contact_id == contact_id)
                .order_by(activities.c.key),
            ),
            "score_history": _rows(
                conn,
                sa.select(score_history)
                .where(
                    score_history.c.connector == connector,
                    score_history.c.contact_id == contact_id,
                )
                .order_by(score_history.c.seq),
            ),
            "outcomes": _rows(
                conn,
                sa.select(outcomes)
                .where(outcomes.c.connector == connector, outcomes.c.contact_id == contact_id)
                .order_by(outcomes.c.key),
            ),
        }
