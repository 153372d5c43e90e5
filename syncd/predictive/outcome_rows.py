"""Rows from stored contacts and the outcomes their CRM reported.

A contact is positive when an outcome meeting the rule's target follows
within the rule's window of its ``created_at`` (any time, when it has
none); it is then seen as of that outcome (activities before it only).
Every other contact is negative and seen as of ``now``. Pure: the caller
reads the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from syncd.core import parse_datetime
from syncd.core.outcomes import Outcome, OutcomeRule, first_positive
from syncd.predictive.io import Row, row_from_json

__all__ = ["rows_from_store"]


def _iso(at: datetime) -> str:
    return at.isoformat()


def rows_from_store(
    contacts: Iterable[dict[str, Any]],
    outcomes: Mapping[str, Sequence[Outcome]],
    rule: OutcomeRule,
    source: str,
) -> list[Row]:
    """One labelled row per contact (see the module docstring)."""
    rows: list[Row] = []
    for line, obj in enumerate(contacts, start=1):
        cid = str(obj.get("id"))
        created = parse_datetime(obj.get("created_at"))
        found = outcomes.get(cid, ())
        hit = (
            rule.converted(found, created)
            if created is not None
            else first_positive(found, rule.target)
        )
        outcome = {"converted": True, "at": _iso(hit.at)} if hit else {"converted": False}
        rows.append(row_from_json({**obj, "outcome": outcome}, source, line))
    return rows
