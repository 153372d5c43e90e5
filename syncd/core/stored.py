"""The stored form of a contact: what the state store keeps beside a contact's
canonical JSON so that a rescore rebuilds the ``Contact`` without validating,
re-parsing time stamps or sorting activities again (the form was built from a
validated ``Contact``; its activities are kept in the contact's order, which
the canonical contract fixes: newest first, ties by type and attributes).

Contract: for a contact whose canonical JSON ``obj`` is valid,
``contact_from_form(obj["id"], contact_form(c), activities_form(c.activities),
account)`` equals ``contact_from_json(obj)`` (``c`` that contact without its
account, ``account`` its account as ``account_from_json`` builds it), so
scores computed from the stored form are exactly those ``syncd score`` computes
from the export. Both forms are compact JSON text:

* ``contact_form``: ``[email, company, created_ts, properties]``;
* ``activities_form``: ``[[type, ts, attrs], ...]`` in the contact's order
  (newest first), ``ts`` in epoch seconds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .contract import ContactError, _opt_str, _scalar_map, contact_from_json
from .types import (
    Account,
    AccountTables,
    Activity,
    Contact,
    _norm_map,
    derive_contact_tables,
)

__all__ = [
    "EMPTY_ACTIVITIES",
    "account_from_json",
    "activities_form",
    "contact_form",
    "contact_from_form",
    "parse_activities",
]

EMPTY_ACTIVITIES = "[]"
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_decode = json.JSONDecoder().raw_decode  # one call of the C scanner


def contact_form(c: Contact) -> str:
    """The stored form of ``c``'s own fields (not its account or activities)."""
    return _dumps([c.email, c.company, c.created_ts, dict(c.properties)])


def activities_form(activities: Sequence[Activity]) -> str:
    """The stored form of a contact's activities, in the given order."""
    return _dumps([[a.type, a.ts, dict(a.attrs)] for a in activities])


def parse_activities(objs: Sequence[Mapping[str, Any]]) -> tuple[Activity, ...]:
    """Validate canonical activity objects and return them in a contact's
    order (newest first); raises ``ContactError`` naming the bad one."""
    return contact_from_json({"id": "-", "activities": list(objs)}).activities


def account_from_json(obj: object) -> Account | None:
    """A contact's account from its canonical JSON (validated like
    ``contact_from_json`` does; raises ``ContactError``)."""
    if obj is None:
        return None
    if not isinstance(obj, Mapping):
        raise ContactError("account: must be an object")
    return Account(
        id=_opt_str(obj, "id", "account."),
        name=_opt_str(obj, "name", "account."),
        domain=_opt_str(obj, "domain", "account."),
        properties=_scalar_map(obj.get("properties"), "account.properties"),
    )


_new = object.__new__
_set = object.__setattr__


_NONE: dict[str, Any] = {}  # the attributes (and their text) of an activity without any


def _activity(typ: str, ts: float, attrs: dict[str, Any]) -> Activity:
    """``Activity(typ, ts, attrs)`` for attributes that are already free of
    empty values (as stored): only their normalised text is computed (an
    activity is frozen: activities without attributes share one empty map)."""
    a: Activity = _new(Activity)
    _set(a, "type", typ)
    _set(a, "ts", ts)
    if attrs:
        _set(a, "attrs", attrs)
        _set(a, "norm", _norm_map(attrs))
    else:
        _set(a, "attrs", _NONE)
        _set(a, "norm", _NONE)
    return a


def contact_from_form(
    cid: str, form: str, activities: str, account: Account | AccountTables | None
) -> Contact:
    """Rebuild a contact from its stored forms (see module docstring); its
    activities, stored in order, are attached without sorting them again. Pass
    ``AccountTables.of(account)`` when rebuilding many contacts of one account:
    its look-up tables are then computed once, not per contact."""
    try:
        (email, company, created_ts, props, stored), _end = _decode(f"[{form[1:-1]},{activities}]")
        acts: list[Activity] = []
        by_type: dict[str, list[Activity]] = {}
        for typ, ts, attrs in stored:  # activities_by_type, in the same pass
            a = _activity(typ, ts, attrs)
            acts.append(a)
            same = by_type.get(typ)
            if same is None:
                by_type[typ] = [a]
            else:
                same.append(a)
    except (ValueError, TypeError) as exc:
        raise ContactError(f"stored form unreadable: {exc}") from None
    tables = account if isinstance(account, AccountTables) else AccountTables.of(account)
    c: Contact = _new(Contact)
    _set(c, "id", cid)
    _set(c, "email", email)
    _set(c, "company", company)
    _set(c, "created_ts", created_ts)
    _set(c, "properties", props)
    _set(c, "account", tables.account)
    _set(c, "activities", tuple(acts))
    _set(c, "by_type", {t: tuple(same) for t, same in by_type.items()})
    derive_contact_tables(c, tables)
    return c
