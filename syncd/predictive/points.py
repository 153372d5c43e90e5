"""The points model's own components as features (``syncd learn --model``).

Each row is scored by the points model (the pure core's ``score_batch``) as
of its decision point: ``points.fit``, ``points.engagement``,
``points.account`` (exact, unrounded), ``points.exact`` and
``points.disqualified`` (1/0). A JSONL row is scored from its canonical
contact (or the core's contact it was built from, ``contact_rows``) with the
activities before its decision point; a CSV row from its properties alone
(a points model reads canonical names such as ``title``, ``industry``,
``employees``). Rows sharing a decision point are scored
together, so account signals see their account-mates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from syncd.core import (
    CompiledModel,
    Contact,
    ContactError,
    contact_from_json,
    parse_datetime,
    score_batch,
)
from syncd.predictive.errors import InputError
from syncd.predictive.io import Row

__all__ = ["points_values"]

#: As-of for rows without any time (no activities: only fit rules can fire).
_NO_TIME = 0.0


def _contact_json(row: Row, ref: float) -> dict[str, Any]:
    if row.contact is not None:
        obj = dict(row.contact)
        acts = obj.get("activities")
        if isinstance(acts, list):
            obj["activities"] = [a for a in acts if _before(a, ref)]
        return obj
    props = {
        k: v for k, v in row.properties.items() if v is not None and not k.startswith("account.")
    }
    return {"id": row.id, "properties": props}


def _contact(row: Row, ref: float) -> Contact:
    """The contact the points model scores for ``row`` as of ``ref``."""
    c = row.source_contact
    if c is None:
        return contact_from_json(_contact_json(row, ref))
    if all(a.ts < ref for a in c.activities):
        return c
    return replace(c, activities=tuple(a for a in c.activities if a.ts < ref))


def _before(act: object, ref: float) -> bool:
    at = parse_datetime(act.get("at")) if isinstance(act, dict) else None
    return at is not None and at.timestamp() < ref


def points_values(
    model: CompiledModel, rows: Sequence[Row], now: float | None, source: str
) -> list[dict[str, float]]:
    """The components per row, in order (see the module docstring)."""
    groups: dict[float, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        ref = row.as_of if row.as_of is not None else now
        groups[_NO_TIME if ref is None else ref].append(i)
    out: list[dict[str, float]] = [{} for _ in rows]
    for ref, idxs in groups.items():
        contacts = []
        for i in idxs:
            try:
                contacts.append(_contact(rows[i], ref))
            except ContactError as exc:
                raise InputError(f"{source}:{rows[i].line}: {exc}") from None
        results = score_batch(model, contacts, datetime.fromtimestamp(ref, UTC))
        for i, r in zip(idxs, results, strict=True):
            out[i] = {
                "points.fit": r.fit,
                "points.engagement": r.engagement,
                "points.account": r.account,
                "points.exact": r.exact,
                "points.disqualified": float(r.disqualified),
            }
    return out
