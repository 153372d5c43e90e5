"""A contact's scoring evidence: everything ``score_contact`` reads from a
contact, found once per (model, contact data) and independent of time.

A rescore that only moves the clock (the daily decay pass, with the model and
the data unchanged) evaluates stored evidence (``scoring.evaluate``) instead
of rebuilding the contact and matching every rule again.

Contract:

* ``match(m, c)`` reads the contact and nothing else: no clock. Activities
  in the future of any ``as_of`` are kept (``evaluate`` leaves them out), and
  a rule's ``max_count`` is applied by ``evaluate``, so the evidence holds for
  every ``as_of``.
* ``score_contact(m, c, t)`` is ``evaluate(m, c.id, match(m, c), t, facts)``:
  there is one scoring path, so evidence never scores differently.
* ``evidence_from_text(evidence_text(e)) == e`` for every evidence ``e``;
  the text is compact JSON. Its layout is versioned by ``EVIDENCE_FORMAT``:
  a store keys saved evidence by the model's ref and that format, never
  reading evidence saved by another model or layout.
* Evidence names rules by their positions in the model's ``Plan``: it is
  meaningful only with the model (the ref) it was matched with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .accounts import is_priority
from .compiler import CompiledModel
from .contract import ContactError
from .plan import activity_targets, check
from .types import Contact

__all__ = ["EVIDENCE_FORMAT", "Evidence", "evidence_from_text", "evidence_text", "match"]

#: The layout of ``evidence_text``; bumped whenever it or ``match`` changes.
EVIDENCE_FORMAT = 1

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_decode = json.JSONDecoder().raw_decode


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a model's rules see in one contact (see module docstring)."""

    account_key: str | None
    #: the contact's account is a priority account under the model
    priority: bool
    created_ts: float | None
    #: position in ``Plan.disq_contact`` of the first contact disqualifier
    #: that matches (then no activity evidence is kept: none is read)
    disqualifier: int | None
    #: per activity disqualifier (``Plan.disq_activity`` order): the time of
    #: the earliest matching activity (None: none matches)
    act_disq: tuple[float | None, ...]
    #: the times of the contact's engagement activities, newest first
    engaged: tuple[float, ...]
    #: (slot, times newest first) of each activity rule (``Plan.act_meta``
    #: slot) some activity matches, in slot order; not capped
    found: tuple[tuple[int, tuple[float, ...]], ...]
    #: rule indexes of the property rules that count, in index order (a
    #: fast plan's property-only groups: each group's first match)
    fit: tuple[int, ...]
    #: the position of the router's route the contact takes (0: one model)
    route: int = 0


def _fit(m: CompiledModel, c: Contact) -> tuple[int, ...]:
    p = m.plan
    raw, norm = c.raw, c.norm
    if not p.fast:
        return tuple(idx for idx, t, _r, _pts in p.all_props if check(t, raw, norm, c))
    out = [idx for idx, t, _r, _pts in p.props if check(t, raw, norm, c)]
    for members in p.groups:  # by descending points: the first hit wins
        for idx, t, _r, _pts in members:
            if check(t, raw, norm, c):
                out.append(idx)
                break
    out.sort()
    return tuple(out)


def _act_disq(m: CompiledModel, c: Contact) -> tuple[float | None, ...]:
    out: list[float | None] = []
    for _rid, types, pred in m.plan.disq_activity:
        first: float | None = None
        for t in types:
            for a in c.by_type.get(t, ()):
                if (pred is None or pred(a)) and (first is None or a.ts < first):
                    first = a.ts
        out.append(first)
    return tuple(out)


def match(m: CompiledModel, c: Contact, route: int = 0) -> Evidence:
    """The evidence of ``c`` under model ``m`` (see module docstring);
    ``route``: the router's route that gave ``m``."""
    p = m.plan
    raw, norm = c.raw, c.norm
    dq: int | None = None
    for i, (test, _reason) in enumerate(p.disq_contact):
        if check(test, raw, norm, c):
            dq = i
            break
    eng_types = p.eng_types
    incl = p.eng_inclusive
    engaged: list[float] = []
    eng_kinds = 0
    found: dict[int, list[float]] = {}
    act_types = p.act_types if dq is None else {}
    for t, tacts in c.by_type.items():
        if (t in eng_types) is incl:
            engaged += [a.ts for a in tacts]  # newest first
            eng_kinds += 1
        tp = act_types.get(t)
        if tp is None:
            continue
        for a in tacts:  # newest first
            for slot in activity_targets(tp, a):
                lst = found.get(slot)
                if lst is None:
                    found[slot] = [a.ts]
                else:
                    lst.append(a.ts)
    if eng_kinds > 1:
        engaged.sort(reverse=True)
    meta = p.act_meta
    slots = []
    for slot in sorted(found):
        stamps = found[slot]
        if len(meta[slot][0]) > 1:  # several types: merge them, newest first
            stamps.sort(reverse=True)
        slots.append((slot, tuple(stamps)))
    return Evidence(
        account_key=c.account_key,
        priority=is_priority(m, c),
        created_ts=c.created_ts,
        disqualifier=dq,
        act_disq=_act_disq(m, c) if dq is None and p.disq_activity else (),
        engaged=tuple(engaged),
        found=tuple(slots),
        fit=() if dq is not None else _fit(m, c),
        route=route,
    )


def _stamps(stamps: tuple[float, ...]) -> list[float]:
    """Times as written: whole seconds without a fraction (the text is read
    back half as fast with one)."""
    return [int(ts) if ts.is_integer() else ts for ts in map(float, stamps)]


def evidence_text(e: Evidence) -> str:
    """Compact JSON text of ``e`` (see module docstring)."""
    return _dumps(
        [
            e.route,
            e.account_key,
            e.priority,
            e.created_ts,
            e.disqualifier,
            list(e.act_disq),
            _stamps(e.engaged),
            [[slot, _stamps(stamps)] for slot, stamps in e.found],
            list(e.fit),
        ]
    )


def evidence_from_text(text: str) -> Evidence:
    """The evidence ``evidence_text`` wrote; raises ``ContactError`` when
    ``text`` is not such a text."""
    try:
        obj: Any
        obj, end = _decode(text)
        if end != len(text):
            raise ValueError("trailing text")
        route, key, prio, created, dq, act_disq, engaged, found, fit = obj
        return Evidence(
            account_key=key,
            priority=prio,
            created_ts=created,
            disqualifier=dq,
            act_disq=tuple(act_disq),
            engaged=tuple(engaged),
            found=tuple([(slot, tuple(stamps)) for slot, stamps in found]),
            fit=tuple(fit),
            route=route,
        )
    except (ValueError, TypeError) as exc:
        raise ContactError(f"stored evidence unreadable: {exc}") from None
