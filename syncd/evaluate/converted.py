"""One person per converted lead when history is replayed.

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
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from syncd.core.outcomes import Outcome
from syncd.core.types import Activity, Contact

__all__ = ["fold_converted"]

_CONVERTED = re.compile(r"lead:(?P<lead>.+):converted")

Item = tuple[Contact, tuple[Outcome, ...]]


def _became(items: list[Item]) -> dict[str, str]:
    """Lead id -> id of the record it became, for leads among ``items``."""
    ids = {contact.id for contact, _ in items}
    out: dict[str, str] = {}
    for contact, outcomes in items:
        for outcome in outcomes:
            m = _CONVERTED.fullmatch(outcome.key)
            lead = m.group("lead") if m else None
            if lead is not None and lead != contact.id and lead in ids:
                out[lead] = contact.id
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
    became = _became(rows)
    if not became:
        return rows
    leads = {contact.id: contact for contact, _ in rows if contact.id in became}
    lead_of = {target: leads[lead] for lead, target in became.items()}
    out: list[Item] = []
    for contact, outcomes in rows:
        if contact.id in became:
            continue
        lead = lead_of.get(contact.id)
        out.append((_join(lead, contact, cut_ts) if lead else contact, outcomes))
    return out
