"""Pure mapping of activity records (Task, Event, CampaignMember, configured custom
objects) to canonical activities (docs/scoring.md, "Contacts"). No I/O.

Tasks are classified by ``TASK_RULES`` (TaskSubtype, Type, Subject pattern);
campaign memberships by the campaign's Type and the member's Status. Keys are
the record id prefixed by its source, so re-reads replace instead of duplicating.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from connectors.base import ActivityRecord, SkippedRecord
from connectors.salesforce.config import ExtraActivitySource
from connectors.salesforce.mapping import SYSTEM, Flat, iso, number, parse_time, text

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


def task(row: Flat, who: str) -> ActivityRecord | SkippedRecord | None:
    """The Task as an activity; None for a task that is no engagement (an internal
    to-do such as "Prepare deck"), a ``SkippedRecord`` for one that cannot be used."""
    record_id = str(row.get("Id"))
    subject = text(row.get("Subject"))
    kind = classify_task(text(row.get("TaskSubtype")), text(row.get("Type")), subject)
    if kind is None:
        return None
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
    """The member's engagement as activities: none for a status that is no
    engagement (``Sent``, ``Planned``, or one the campaign type does not use), a
    ``SkippedRecord`` for a member that cannot be used."""
    record_id = str(row.get("Id"))
    group = _CAMPAIGN_GROUPS.get((text(row.get("Campaign.Type")) or "").lower())
    status = (text(row.get("Status")) or "").lower()
    kinds = _MEMBER_TYPES.get(group or "", {}).get(status)
    if not kinds:
        return []
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
        if isinstance(value, Mapping | list | tuple | set):
            reason = f"field {path}: a {type(value).__name__} where a single value belongs"
            return SkippedRecord(record_id, source.object, reason)
        if value is not None and value != "":
            data[attribute] = value
    return ActivityRecord(f"x:{source.object}:{record_id}", who, data)


def who_of_member(row: Flat) -> str | None:
    """A CampaignMember's person: the Contact when set (converted leads keep both)."""
    return text(row.get("ContactId")) or text(row.get("LeadId"))


def lead_ids(ids: Sequence[str | None]) -> list[str]:
    return sorted({i for i in ids if i and i.startswith("00Q")})
