"""Pure mapping between Salesforce records and canonical JSON (DESIGN.md §2). No I/O.

Records arrive flattened: ``{"Id": ..., "Account.Name": ..., "Who.Type": ...}``
with REST values (typed JSON) or Bulk CSV values (strings, empty = None); every
function here accepts both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.base import (
    AccountRecord,
    ActivityRecord,
    ContactRecord,
    SkippedRecord,
    WrittenValues,
)
from connectors.salesforce.config import ExtraActivitySource, SalesforceFieldNames
from syncd.core.keys import clean_domain

Flat = dict[str, Any]

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
LEAD_EXTRA = ("Email", "Company", "Website", "IsConverted", "ConvertedContactId", "MasterRecordId")
CONTACT_EXTRA = ("Email", "AccountId", "Account.Name", "MasterRecordId")
ACCOUNT_EXTRA = ("Name", "Website", "MasterRecordId")
TASK_FIELDS = (
    *SYSTEM,
    "WhoId",
    "Who.Type",
    "Subject",
    "Type",
    "TaskSubtype",
    "ActivityDate",
    "CallDurationInSeconds",
    "IsArchived",
)
EVENT_FIELDS = (
    *SYSTEM,
    "WhoId",
    "Who.Type",
    "Subject",
    "Type",
    "ActivityDateTime",
    "StartDateTime",
    "DurationInMinutes",
    "IsArchived",
)
CAMPAIGN_MEMBER_FIELDS = (
    *SYSTEM,
    "LeadId",
    "ContactId",
    "Status",
    "HasResponded",
    "FirstRespondedDate",
    "Campaign.Name",
    "Campaign.Type",
)

#: Task classification, first match wins: (TaskSubtype, Type, Subject regex) -> type.
#: ``None`` in a slot matches anything.
TASK_RULES: tuple[tuple[str | None, str | None, str | None, str], ...] = (
    ("Call", None, None, "call"),
    (None, "Call", None, "call"),
    (None, None, r"^\s*call\b", "call"),
    ("Email", None, r"^\s*(?:e-?mail:\s*)?(?:re|aw|sv)\s*:", "email_reply"),
    ("ListEmail", None, None, "email_sent"),
    ("Email", None, None, "email_sent"),
    (None, "Email", None, "email_sent"),
    (None, None, r"^\s*e-?mail\b", "email_sent"),
    (None, None, r"^\s*demo\b", "demo_request"),
    (None, None, r"^\s*support\b", "support_ticket"),
)
_TASK_RULES = tuple(
    (sub, typ, re.compile(rx, re.IGNORECASE) if rx else None, out)
    for sub, typ, rx, out in TASK_RULES
)
_SUPPORT_CATEGORY = re.compile(r"^\s*support\s*:\s*(?P<category>.+)$", re.IGNORECASE)

#: CampaignMember: (Campaign.Type lower-cased group, member status) -> activity types.
_CAMPAIGN_GROUPS = {
    "webinar": "webinar",
    "email": "email",
    "conference": "event",
    "seminar / conference": "event",
    "trade show": "event",
    "event": "event",
    "content": "content",
}
_MEMBER_TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "webinar": {
        "registered": ("webinar_registered",),
        "attended": ("webinar_registered", "webinar_attended"),
    },
    "event": {"attended": ("event_attended",)},
    "email": {
        "opened": ("email_open",),
        "clicked": ("email_open", "email_click"),
        "responded": ("email_open", "email_click"),
        "unsubscribed": ("unsubscribe",),
    },
    "content": {
        "responded": ("content_download",),
        "downloaded": ("content_download",),
    },
}


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
        return float(value)
    except (TypeError, ValueError):
        return None


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
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


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
    }
    syncd = {k: v for k, v in wanted.items() if v.lower() in readable}
    return PersonFields(props, syncd)


def crm_values(row: Flat, fields: PersonFields) -> WrittenValues | None:
    if not fields.syncd:
        return None
    score = number(row.get(fields.syncd.get("score", "")))
    priority = row.get(fields.syncd.get("priority", ""))
    return WrittenValues(
        score=None if score is None else round(score),
        tier=text(row.get(fields.syncd.get("tier", ""))),
        reasons=text(row.get(fields.syncd.get("reasons", ""))),
        priority=None if priority is None else boolean(priority),
    )


def person(kind: str, row: Flat, fields: PersonFields) -> ContactRecord | SkippedRecord:
    """A Lead or Contact as a ``ContactRecord`` (converted leads: not writable)."""
    record_id = text(row.get("Id"))
    if record_id is None:
        return SkippedRecord("", kind, "record without Id")
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
    )


def account(
    row: Flat, properties: Mapping[str, str], score_field: str | None, priority_field: str | None
) -> AccountRecord | SkippedRecord:
    record_id = text(row.get("Id"))
    if record_id is None:
        return SkippedRecord("", "account", "record without Id")
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


# --------------------------------------------------------------------------- activities


def classify_task(subtype: str | None, kind: str | None, subject: str | None) -> str | None:
    for want_sub, want_type, pattern, out in _TASK_RULES:
        if want_sub is not None and (subtype or "").lower() != want_sub.lower():
            continue
        if want_type is not None and (kind or "").lower() != want_type.lower():
            continue
        if pattern is not None and not pattern.search(subject or ""):
            continue
        return out
    return None


def task(row: Flat, who: str) -> ActivityRecord | SkippedRecord:
    record_id = str(row.get("Id"))
    subject = text(row.get("Subject"))
    kind = classify_task(text(row.get("TaskSubtype")), text(row.get("Type")), subject)
    if kind is None:
        return SkippedRecord(record_id, "task", f"no activity type for Task {subject!r}")
    at = parse_time(row.get("ActivityDate")) or parse_time(row.get("CreatedDate"))
    if at is None:
        return SkippedRecord(record_id, "task", "Task without ActivityDate or CreatedDate")
    data: dict[str, Any] = {"type": kind, "at": iso(at)}
    if subject:
        data["subject"] = subject
    if kind == "support_ticket" and subject and (m := _SUPPORT_CATEGORY.match(subject)):
        data["category"] = m["category"].strip().lower()
    duration = number(row.get("CallDurationInSeconds"))
    if kind == "call" and duration is not None:
        data["duration_s"] = int(duration)
    return ActivityRecord(f"task:{record_id}", who, data)


def event(row: Flat, who: str) -> ActivityRecord | SkippedRecord:
    record_id = str(row.get("Id"))
    at = (
        parse_time(row.get("ActivityDateTime"))
        or parse_time(row.get("StartDateTime"))
        or parse_time(row.get("CreatedDate"))
    )
    if at is None:
        return SkippedRecord(record_id, "event", "Event without a date")
    data: dict[str, Any] = {"type": "meeting", "at": iso(at)}
    subject = text(row.get("Subject"))
    if subject:
        data["subject"] = subject
    return ActivityRecord(f"event:{record_id}", who, data)


def campaign_member(row: Flat, who: str) -> list[ActivityRecord] | SkippedRecord:
    record_id = str(row.get("Id"))
    group = _CAMPAIGN_GROUPS.get((text(row.get("Campaign.Type")) or "").lower())
    status = (text(row.get("Status")) or "").lower()
    kinds = _MEMBER_TYPES.get(group or "", {}).get(status)
    if not kinds:
        return SkippedRecord(
            record_id,
            "campaign_member",
            f"no activity for status {row.get('Status')!r} "
            f"in a {row.get('Campaign.Type')!r} campaign",
        )
    at = parse_time(row.get("FirstRespondedDate")) or parse_time(row.get("CreatedDate"))
    if at is None:
        return SkippedRecord(record_id, "campaign_member", "CampaignMember without a date")
    out = []
    for kind in kinds:
        data: dict[str, Any] = {"type": kind, "at": iso(at)}
        name = text(row.get("Campaign.Name"))
        if name:
            data["campaign"] = name
        out.append(ActivityRecord(f"cm:{record_id}:{kind}", who, data))
    return out


def extra_fields(source: ExtraActivitySource) -> list[str]:
    return [*SYSTEM, source.who_field, source.at_field, *source.fields.values()]


def extra(row: Flat, who: str, source: ExtraActivitySource) -> ActivityRecord | SkippedRecord:
    record_id = str(row.get("Id"))
    at = parse_time(row.get(source.at_field))
    if at is None:
        return SkippedRecord(record_id, source.object, f"no {source.at_field}")
    data: dict[str, Any] = {"type": source.type, "at": iso(at)}
    for attribute, path in source.fields.items():
        value = row.get(path)
        if value is not None and value != "":
            data[attribute] = value
    return ActivityRecord(f"x:{source.object}:{record_id}", who, data)


def who_of_member(row: Flat) -> str | None:
    """A CampaignMember's person: the Contact when set (converted leads keep both)."""
    return text(row.get("ContactId")) or text(row.get("LeadId"))


def lead_ids(ids: Sequence[str | None]) -> list[str]:
    return sorted({i for i in ids if i and i.startswith("00Q")})
