"""Rows from stored contacts and the outcomes their CRM reported.

A contact is positive when an outcome meeting the rule's target follows
within the rule's window of its ``created_at`` (any time, when it has
none); it is then seen as of that outcome (activities before it only).
Every other contact is negative and seen as of ``now``. Pure: the caller
reads the store.

A converted lead kept as a record of its own (``syncd.evaluate.converted``)
is one row with the record it became, labelled by that record's outcomes
from the earlier creation time: as the lead was (its properties, company,
e-mail, no account) when the record it became did not exist yet at the
conversion, else as that record; with the activities of both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from syncd.core import parse_datetime
from syncd.core.outcomes import Outcome, OutcomeRule, first_positive
from syncd.evaluate.converted import converted_leads, fold_into
from syncd.predictive.io import Row, row_from_json

__all__ = ["rows_from_store"]

Obj = dict[str, Any]
Join = Callable[[Obj, Obj | None, str], Obj]


def _iso(at: datetime) -> str:
    return at.isoformat()


def _positive(
    found: Sequence[Outcome], created: datetime | None, rule: OutcomeRule
) -> Outcome | None:
    if created is None:
        return first_positive(found, rule.target)
    return rule.converted(found, created)


def _activities(*objs: Obj) -> list[Any]:
    seen: set[str] = set()
    out: list[Any] = []
    for act in (a for obj in objs for a in obj.get("activities") or ()):
        key = json.dumps(act, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(act)
    return out


def _earliest(*objs: Obj) -> Obj | None:
    dated = [(at, i) for i, o in enumerate(objs) if (at := parse_datetime(o.get("created_at")))]
    return objs[min(dated)[1]] if dated else None


def _one_person(outcomes: Mapping[str, Sequence[Outcome]], rule: OutcomeRule) -> Join:
    def join(lead: Obj, record: Obj | None, rid: str) -> Obj:
        pair = (lead,) if record is None else (record, lead)
        first = _earliest(*pair)
        created = parse_datetime(first.get("created_at")) if first else None
        hit = _positive(outcomes.get(rid, ()), created, rule)
        own = None if record is None else parse_datetime(record.get("created_at"))
        existed = record is not None and (hit is None or (own is not None and own < hit.at))
        base = record if existed and record is not None else {**lead, "id": rid}
        out = {**base, "activities": _activities(*pair)}
        out["created_at"] = first.get("created_at") if first else base.get("created_at")
        if record is not None and "outcomes" in record:
            out["outcomes"] = record["outcomes"]
        return out

    return join


def rows_from_store(
    contacts: Iterable[Obj],
    outcomes: Mapping[str, Sequence[Outcome]],
    rule: OutcomeRule,
    source: str,
) -> list[Row]:
    """One labelled row per person (see the module docstring)."""
    people = fold_into(
        contacts,
        lambda obj: str(obj.get("id")),
        converted_leads(outcomes),
        _one_person(outcomes, rule),
    )
    rows: list[Row] = []
    for line, obj in enumerate(people, start=1):
        cid = str(obj.get("id"))
        hit = _positive(outcomes.get(cid, ()), parse_datetime(obj.get("created_at")), rule)
        outcome = {"converted": True, "at": _iso(hit.at)} if hit else {"converted": False}
        rows.append(row_from_json({**obj, "outcome": outcome}, source, line))
    return rows
