"""Rows straight from the core's contacts: what the daemon scores.

``row_from_contact(contact, line)`` is the row ``io.row_from_json`` makes of
the contact's canonical JSON (the state store's export, which ``syncd learn
--connector`` learns from) without an ``outcome``, built from the frozen
``Contact`` directly: properties as ``io.property_values`` keeps them
(account properties under ``account.NAME``), the account's id (else domain,
else name) as its key, activities oldest first reduced to type, time and URL
/ form / asset / kind, ``time`` the creation time (else the first activity),
no label and no decision point of its own. The contact itself rides along
(``Row.source_contact``) for the points model's components. Pure.

Times are the contact's epoch seconds as they are; the JSON route went
through ISO-8601 text, which keeps microseconds, so the two agree exactly for
every time a CRM gives (whole milliseconds or coarser).
"""

from __future__ import annotations

from syncd.core import Activity as CoreActivity
from syncd.core import Contact
from syncd.predictive.io import Activity, Row, property_values

__all__ = ["row_from_contact"]


def _target(act: CoreActivity) -> str | None:
    attrs = act.attrs
    found = attrs.get("url") or attrs.get("form") or attrs.get("asset") or attrs.get("kind")
    return None if found is None else str(found)


def row_from_contact(contact: Contact, line: int) -> Row:
    """The row of ``contact`` (see the module docstring); ``line`` numbers it."""
    props = property_values(contact.properties)
    account = contact.account
    key: str | None = None
    if account is not None:
        found = account.id or account.domain or account.name
        key = None if found is None else str(found)
        for k, v in property_values(account.properties).items():
            props[f"account.{k}"] = v
    # the core keeps activities newest first (ties in a fixed order): reversed,
    # they are oldest first, as a row wants them
    acts = tuple(Activity(a.type, a.ts, _target(a)) for a in reversed(contact.activities))
    created = contact.created_ts
    return Row(
        id=contact.id,
        line=line,
        properties=props,
        label=None,
        time=created if created is not None else (acts[0].at if acts else None),
        activities=acts,
        account=key,
        source_contact=contact,
    )
