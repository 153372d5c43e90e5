"""One person per converted lead wherever stored records become labels or rates.

A CRM that keeps a converted lead as a record of its own (Salesforce: the Lead
stays, ``IsConverted``, and its activities move to the Contact it became)
stores two records for one person. The connector dates the conversion on the
record it became, as an outcome keyed ``lead:<lead id>:converted``. Judged
apart, the lead would count as a contact that never converted (its outcome
sits on the other record) and the record it became as a second person, or as
nobody when it was created after the cut.

``fold_converted`` makes them one contact, under the id of the record the lead
became, with that record's outcomes: as the lead was (its properties, company,
e-mail, no account) when the record it became did not exist yet at the cut,
else as that record; with the activities of both, and the earlier creation
time. A lead whose record is not among the contacts is kept as it is.

The same person counts once wherever stored records become labels or rates:
``converted_leads`` finds who became whom from the outcomes, and ``fold_into``
folds any kind of record (a learning row, a model's flag, a report's facts) by
it, with a join of the caller's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from syncd.core.outcomes import Outcome
from syncd.core.types import Activity, Contact

__all__ = ["converted_leads", "earlier", "fold_converted", "fold_into"]

_CONVERTED = re.compile(r"lead:(?P<lead>.+):converted")

Item = tuple[Contact, tuple[Outcome, ...]]
T = TypeVar("T")


def converted_leads(outcomes: Mapping[str, Iterable[Outcome]]) -> dict[str, str]:
    """Lead id -> id of the record it became, from the conversion outcomes
    (``lead:<lead id>:converted``) that ``outcomes`` (record id -> its
    outcomes) holds on another record."""
    out: dict[str, str] = {}
    for record, found in outcomes.items():
        for outcome in found:
            m = _CONVERTED.fullmatch(outcome.key)
            if m is not None and m.group("lead") != record:
                out[m.group("lead")] = record
    return out


def earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    """The earlier of two instants, either of which may be unknown."""
    return b if a is None else a if b is None else min(a, b)


def fold_into(
    items: Iterable[T],
    id_of: Callable[[T], str],
    became: Mapping[str, str],
    join: Callable[[T, T | None, str], T],
) -> list[T]:
    """``items`` with every converted lead among them (``became``: lead id ->
    id of the record it became) folded into that record:
    ``join(lead, record, record id)``, the record None when it is not among
    ``items`` (the person then stands where the lead stood, else where the
    record stood). Several leads of one record are joined one after another.
    Order kept; items that are neither pass unchanged."""
    rows = list(items)
    ids = {id_of(x) for x in rows}
    leads: dict[str, list[T]] = {}
    for x in rows:
        target = became.get(id_of(x))
        if target is not None and target != id_of(x):
            leads.setdefault(target, []).append(x)
    if not leads:
        return rows
    folded = {id(x) for group in leads.values() for x in group}
    out: list[T] = []
    for x in rows:
        rid = id_of(x)
        if id(x) in folded:
            target = became[rid]
            if target in ids or leads[target][0] is not x:
                continue
            person: T | None = None
        elif rid in leads:
            target, person = rid, x
        else:
            out.append(x)
            continue
        for lead in leads[target]:
            person = join(lead, person, target)
        assert person is not None
        out.append(person)
    return out


def _activities(*groups: tuple[Activity, ...]) -> tuple[Activity, ...]:
    seen: set[tuple[str, float, tuple[tuple[str, object], ...]]] = set()
    out: list[Activity] = []
    for act in (a for group in groups for a in group):
        key = (act.type, act.ts, tuple(sorted(act.attrs.items())))
        if key not in seen:
            seen.add(key)
            out.append(act)
    return tuple(out)


def _created(a: float | None, b: float | None) -> float | None:
    known = [t for t in (a, b) if t is not None]
    return min(known) if known else None


def _join(lead: Contact, became: Contact, cut_ts: float) -> Contact:
    existed = became.created_ts is not None and became.created_ts < cut_ts
    base = became if existed else replace(lead, id=became.id)
    return replace(
        base,
        created_ts=_created(lead.created_ts, became.created_ts),
        activities=_activities(became.activities, lead.activities),
    )


def fold_converted(items: Iterable[Item], cut_ts: float) -> list[Item]:
    """``items`` (contact, outcomes) with each converted lead folded into the
    record it became (see the module docstring); order kept, the person
    standing where the record it became stood."""
    rows = list(items)
    became = converted_leads({contact.id: outcomes for contact, outcomes in rows})

    def join(lead: Item, record: Item | None, _target: str) -> Item:
        assert record is not None  # the outcome naming the lead sits on the record
        return _join(lead[0], record[0], cut_ts), record[1]

    return fold_into(rows, lambda item: item[0].id, became, join)
