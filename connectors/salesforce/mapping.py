"""Pure mapping of Leads, Contacts and Accounts to canonical JSON (docs/scoring.md, "Contacts"), and
the value parsing shared with `activities.py`. No I/O.

Records arrive flattened: ``{"Id": ..., "Account.Name": ..., "Who.Type": ...}``
with REST values (typed JSON) or Bulk CSV values (strings, empty = None); every
function here accepts both.

Bad CRM data never raises here: a Lead, Contact or Account with a malformed value
(a property that is an object or a list where a field value belongs, a
``CreatedDate`` that is no date-time) comes back as a ``SkippedRecord`` naming the
record and the field; the engine logs and counts it. Unreadable numbers (including
NaN and infinities) and dates read as absent.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from connectors.base import (
    AccountRecord,
    ContactRecord,
    SkippedRecord,
    WrittenValues,
)
from connectors.salesforce.config import SalesforceFieldNames
from syncd.core.keys import clean_domain

Flat = dict[str, Any]
T = TypeVar("T")

#: Canonical property -> field, per object (``field_map`` in the options overrides).
LEAD_FIELDS: dict[str, str] = {
    "title": "Title",
    "industry": "Industry",
    "employees": "NumberOfEmployees",
    "country": "Country",
    "lead_status": "Status",
}
CONTACT_FIELDS: dict[str, str] = {
    "title": "Title",
    "department": "Department",
    "country": "MailingCountry",
}
ACCOUNT_FIELDS: dict[str, str] = {
    "industry": "Industry",
    "employees": "NumberOfEmployees",
    "country": "BillingCountry",
}
SYSTEM = ("Id", "SystemModstamp", "IsDeleted", "CreatedDate")
LEAD_EXTRA = ("Email", "Company", "IsConverted", "ConvertedContactId", "MasterRecordId")
CONTACT_EXTRA = ("Email", "AccountId", "Account.Name", "MasterRecordId")
ACCOUNT_EXTRA = ("Name", "Website", "MasterRecordId")


def flatten(record: Mapping[str, Any], prefix: str = "") -> Flat:
    """A REST record (nested relationship objects) as ``{"A.B": value}``."""
    out: Flat = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def from_csv(row: Mapping[str, str]) -> Flat:
    """A Bulk CSV row: empty cells are null."""
    return {k: (None if v == "" else v) for k, v in row.items()}


def safely(kind: str, row: Flat, fn: Callable[[Flat], T]) -> T | SkippedRecord:
    """``fn(row)``, or a ``SkippedRecord`` naming the record when its data trips the
    mapping (bad CRM data must skip one record, never fail the cycle)."""
    try:
        return fn(row)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        reason = f"unreadable record ({type(exc).__name__}: {str(exc)[:200]})"
        return SkippedRecord(str(row.get("Id") or ""), kind, reason)


def text(value: Any) -> str | None:
    if value is None:
        return None
    out = str(value).strip()
    return out or None


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "true"


def number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        return None
    return parsed if math.isfinite(parsed) else None


def parse_time(value: Any) -> dt.datetime | None:
    """A Salesforce ``dateTime`` (``…+0000`` or ``…Z``) or ``date`` as aware UTC."""
    raw = text(value)
    if raw is None:
        return None
    if len(raw) == 10:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            return None
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    elif len(raw) > 5 and raw[-5] in "+-" and raw[-3] != ":":
        raw = raw[:-2] + ":" + raw[-2:]
    try:
        parsed = dt.datetime.fromisoformat(raw)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):  # not a date-time, or out of range in UTC
        return None


def malformed(
    kind: str, record_id: str, row: Flat, fields: Mapping[str, str]
) -> SkippedRecord | None:
    """A ``SkippedRecord`` naming the first malformed value of ``row`` among
    ``fields`` (canonical -> field) and ``CreatedDate``; None when all are usable."""
    for path in fields.values():
        value = row.get(path)
        if isinstance(value, Mapping | list | tuple | set):
            shown = type(value).__name__
            return SkippedRecord(
                record_id, kind, f"field {path}: a {shown} where a single value belongs"
            )
    created = row.get("CreatedDate")
    if text(created) is not None and parse_time(created) is None:
        return SkippedRecord(
            record_id, kind, f"field CreatedDate: {str(created)[:40]!r} is not a date-time"
        )
    return None


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sf_datetime(value: dt.datetime) -> str:
    """A ``dateTime`` value for writes (second precision, UTC)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


# --------------------------------------------------------------------------- people


@dataclass(frozen=True, slots=True)
class PersonFields:
    """What a Lead/Contact query selects and how its values map."""

    properties: Mapping[str, str]  # canonical -> field
    syncd: Mapping[str, str]  # "score"/"tier"/"reasons"/"priority" -> readable field

    def select(self, kind: str) -> list[str]:
        extra = LEAD_EXTRA if kind == "lead" else CONTACT_EXTRA
        return [*SYSTEM, *extra, *self.properties.values(), *self.syncd.values()]


def person_fields(
    kind: str, field_map: Mapping[str, str], names: SalesforceFieldNames, readable: set[str]
) -> PersonFields:
    """Fields for ``kind`` ("lead"/"contact") limited to those the user can read
    (``readable``: lower-cased field names from describe)."""
    base = dict(LEAD_FIELDS if kind == "lead" else CONTACT_FIELDS)
    base.update(field_map)
    props = {k: v for k, v in base.items() if v.split(".")[0].lower() in readable or "." in v}
    wanted = {
        "score": names.score,
        "tier": names.tier,
        "reasons": names.reasons,
        "priority": names.priority,
        "probability": names.probability,
    }
    syncd = {k: v for k, v in wanted.items() if v.lower() in readable}
    return PersonFields(props, syncd)


def crm_values(row: Flat, fields: PersonFields) -> WrittenValues | None:
    if not fields.syncd:
        return None
    score = number(row.get(fields.syncd.get("score", "")))
    priority = row.get(fields.syncd.get("priority", ""))
    probability = number(row.get(fields.syncd.get("probability", "")))
    return WrittenValues(
        score=None if score is None else round(score),
        tier=text(row.get(fields.syncd.get("tier", ""))),
        reasons=text(row.get(fields.syncd.get("reasons", ""))),
        priority=None if priority is None else boolean(priority),
        probability=None if probability is None else round(probability, 3),
    )


def person(kind: str, row: Flat, fields: PersonFields) -> ContactRecord | SkippedRecord:
    """A Lead or Contact as a ``ContactRecord`` (converted leads: not writable)."""
    record_id = text(row.get("Id"))
    if record_id is None:
        return SkippedRecord("", kind, "record without Id")
    bad = malformed(kind, record_id, row, fields.properties)
    if bad is not None:
        return bad
    properties: dict[str, Any] = {}
    for canonical, path in fields.properties.items():
        value = row.get(path)
        if value is None or value == "":
            continue
        if canonical == "employees":
            parsed = number(value)
            value = int(parsed) if parsed is not None and parsed.is_integer() else value
        properties[canonical] = value
    data: dict[str, Any] = {"id": record_id, "properties": properties}
    email = text(row.get("Email"))
    if email:
        data["email"] = email
    company = text(row.get("Company") if kind == "lead" else row.get("Account.Name"))
    if company and company != "[not provided]":
        data["company"] = company
    created = parse_time(row.get("CreatedDate"))
    if created is not None:
        data["created_at"] = iso(created)
    converted = kind == "lead" and boolean(row.get("IsConverted"))
    account_id = text(row.get("AccountId")) if kind == "contact" else None
    return ContactRecord(
        id=record_id,
        kind=kind,
        data=data,
        account_id=account_id,
        crm_values=crm_values(row, fields),
        writable=not converted,
        # no stamp: Salesforce reads are consistent (no stale copy to tell from an
        # edit), and its whole-second stamps cannot tell a hand edit made in the
        # second of syncd's write from the write itself
        modified_at=None,
    )


def account(
    row: Flat, properties: Mapping[str, str], score_field: str | None, priority_field: str | None
) -> AccountRecord | SkippedRecord:
    record_id = text(row.get("Id"))
    if record_id is None:
        return SkippedRecord("", "account", "record without Id")
    bad = malformed("account", record_id, row, properties)
    if bad is not None:
        return bad
    props: dict[str, Any] = {}
    for canonical, path in properties.items():
        value = row.get(path)
        if value is not None and value != "":
            props[canonical] = value
    if priority_field:
        props["priority"] = boolean(row.get(priority_field))
    data: dict[str, Any] = {"id": record_id, "properties": props}
    name = text(row.get("Name"))
    if name:
        data["name"] = name
    website = text(row.get("Website"))
    domain = clean_domain(website) if website else ""
    if domain:
        data["domain"] = domain
    score = number(row.get(score_field)) if score_field else None
    return AccountRecord(record_id, data, None if score is None else round(score))
