"""HubSpot records <-> canonical JSON (docs/scoring.md, "Contacts"). Pure: no I/O, no clock.

Every ``map_*`` function takes the property strings HubSpot answered and returns the
canonical record plus ``warnings`` (one line each, naming the record id and the field)
for values it had to drop or shorten. Bad data never raises: a value that is no
string (HubSpot sends every property as one), an unparsable date or number, is
dropped with a warning naming the record and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.base import (
    AccountRecord,
    AccountUpdate,
    ContactRecord,
    ContactUpdate,
    WrittenValues,
)
from connectors.hubspot.config import HubSpotFieldNames
from connectors.hubspot.industries import INDUSTRY_TABLE
from syncd.core.contract import parse_datetime
from syncd.core.keys import clean_domain

Props = Mapping[str, str | None]

#: Canonical property <- HubSpot contact property (config ``field_map`` overrides/extends).
DEFAULT_FIELD_MAP: dict[str, str] = {
    "title": "jobtitle",
    "country": "country",
    "lifecycle_stage": "lifecyclestage",
    "lead_status": "hs_lead_status",
    "occupation": "occupation",
    "department": "department",
}
#: Contact properties read besides the field map and syncd's own fields.
CONTACT_PROPERTIES = (
    "email",
    "firstname",
    "lastname",
    "company",
    "createdate",
    "lastmodifieddate",
    "associatedcompanyid",
    "hs_merged_object_ids",
    "hs_analytics_num_page_views",
    "hs_analytics_last_visit_timestamp",
    "hs_analytics_last_url",
    "hs_analytics_last_timestamp",
    "first_conversion_event_name",
    "first_conversion_date",
    "recent_conversion_event_name",
    "recent_conversion_date",
)
COMPANY_PROPERTIES = (
    "name",
    "domain",
    "website",
    "industry",
    "numberofemployees",
    "country",
    "hs_is_target_account",
    "hs_lastmodifieddate",
    "hs_merged_object_ids",
)

#: Longest text value kept (longer values are cut, with a warning).
MAX_TEXT = 2_000
#: Plausible range of dates on a record.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_EMPLOYEES = 10_000_000


@dataclass(frozen=True, slots=True)
class Mapped:
    """A mapped record and the warnings raised while mapping it."""

    record: Any
    warnings: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- values


def iso(moment: datetime) -> str:
    """``2026-11-20T10:00:00Z`` (UTC, whole seconds unless there are milliseconds)."""
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def hs_datetime(moment: datetime) -> str:
    """A value for a HubSpot datetime property (ISO-8601 with milliseconds, UTC)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(value: str | None) -> datetime | None:
    """HubSpot answers datetimes as ISO-8601 or epoch milliseconds (None for anything
    else, a value that is no string included)."""
    if not isinstance(value, str) or value == "":
        return None
    text = value.strip()
    if re.fullmatch(r"-?\d{1,16}", text):
        try:
            return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return parse_datetime(text)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class _Notes:
    """Collects warnings naming the record and field."""

    def __init__(self, kind: str, record_id: str) -> None:
        self.kind = kind
        self.record_id = record_id
        self.items: list[str] = []

    def warn(self, field: str, problem: str) -> None:
        self.items.append(f"{self.kind} {self.record_id}: {field}: {problem}")

    def raw(self, props: Props, name: str) -> str | None:
        """The property's string; None (with a warning) for a value that is no string."""
        value: object = props.get(name)
        if value is None or isinstance(value, str):
            return value
        self.warn(name, f"a {type(value).__name__} where HubSpot sends a string, ignored")
        return None

    def text(self, props: Props, name: str) -> str | None:
        value = self.raw(props, name)
        if value is None:
            return None
        value = value.strip()
        if not value:
            return None
        if len(value) > MAX_TEXT:
            self.warn(name, f"{len(value)} characters, cut to {MAX_TEXT}")
            value = value[:MAX_TEXT]
        return value

    def time(self, props: Props, name: str) -> datetime | None:
        raw = self.raw(props, name)
        if not raw:
            return None
        moment = parse_time(raw)
        if moment is None:
            self.warn(name, f"not a date-time ({raw[:40]!r}), ignored")
            return None
        if not EARLIEST <= moment < LATEST:
            self.warn(name, f"implausible date {moment.date().isoformat()}, ignored")
            return None
        return moment

    def number(self, props: Props, name: str, maximum: float, minimum: float = 0.0) -> float | None:
        raw = self.raw(props, name)
        if raw is None or raw.strip() == "":
            return None
        try:
            number = float(raw)
        except ValueError:
            self.warn(name, f"not a number ({raw[:40]!r}), ignored")
            return None
        if not minimum <= number <= maximum:
            self.warn(name, f"implausible number {raw[:40]}, ignored")
            return None
        return number


def _probability(number: float | None) -> float | None:
    """A probability as read, at the 3 decimals syncd writes."""
    return None if number is None else round(number, 3)


def _int_or_float(number: float) -> int | float:
    return int(number) if number.is_integer() else number


def _bool(value: str | None) -> bool | None:
    if not isinstance(value, str) or value == "":
        return None
    return value.strip().lower() in ("true", "1", "yes")


def industry_name(code: str, extra: Mapping[str, str]) -> str:
    """Canonical industry for a HubSpot code (``extra`` first, then the table)."""
    key = code.strip().upper()
    if key in extra:
        return extra[key]
    if key in INDUSTRY_TABLE:
        return INDUSTRY_TABLE[key]
    return key.replace("_", " ").title() if key.replace("_", "").isalnum() else code.strip()


# ----------------------------------------------------------------------------- reads


def contact_properties(field_map: Mapping[str, str], fields: HubSpotFieldNames) -> list[str]:
    """Every contact property a read asks for."""
    own = (fields.score, fields.tier, fields.reasons, fields.priority, fields.probability)
    return list(dict.fromkeys([*CONTACT_PROPERTIES, *field_map.values(), *own]))


def company_properties(fields: HubSpotFieldNames) -> list[str]:
    return [*COMPANY_PROPERTIES, fields.account_score]


def map_contact(
    record_id: str, props: Props, field_map: Mapping[str, str], fields: HubSpotFieldNames
) -> Mapped:
    """A HubSpot contact as a ``ContactRecord`` (canonical JSON without account/activities)."""
    notes = _Notes("contact", record_id)
    data: dict[str, Any] = {"id": record_id}
    email = notes.text(props, "email")
    if email is not None:
        data["email"] = email.lower()
    properties: dict[str, Any] = {}
    for canonical, name in field_map.items():
        value = notes.text(props, name)
        if value is not None:
            properties[canonical] = value
    data["properties"] = properties
    created = notes.time(props, "createdate")
    if created is not None:
        data["created_at"] = iso(created)
    company = notes.text(props, "company")
    if company is not None:
        data["company"] = company
    # Names are contact properties like any other (the contract has no name keys).
    for name, canonical in (("firstname", "first_name"), ("lastname", "last_name")):
        value = notes.text(props, name)
        if value is not None:
            properties.setdefault(canonical, value)
    account = notes.text(props, "associatedcompanyid")
    if account is not None and not account.isdigit():
        notes.warn("associatedcompanyid", f"not a record id ({account[:40]!r}), ignored")
        account = None
    # Scores have no floor unless a model sets one: negative values are real.
    score = notes.number(props, fields.score, 1e9, -1e9) if props.get(fields.score) else None
    values = WrittenValues(
        score=None if score is None else round(score),
        tier=(notes.raw(props, fields.tier) or None),
        reasons=(notes.raw(props, fields.reasons) or None),
        priority=_bool(props.get(fields.priority)),
        probability=_probability(notes.number(props, fields.probability, 1.0)),
    )
    record = ContactRecord(
        id=record_id,
        kind="contact",
        data=data,
        account_id=account,
        crm_values=values,
        modified_at=parse_time(props.get("lastmodifieddate") or props.get("hs_lastmodifieddate")),
    )
    return Mapped(record, tuple(notes.items))


def merged_ids(props: Props) -> list[str]:
    """The ids a survivor lists in ``hs_merged_object_ids``."""
    raw = props.get("hs_merged_object_ids") or ""
    if not isinstance(raw, str):
        return []
    return [part.strip() for part in raw.split(";") if part.strip()]


def map_company(
    record_id: str, props: Props, industry_map: Mapping[str, str], fields: HubSpotFieldNames
) -> Mapped:
    """A HubSpot company as an ``AccountRecord``."""
    notes = _Notes("company", record_id)
    data: dict[str, Any] = {"id": record_id}
    name = notes.text(props, "name")
    if name is not None:
        data["name"] = name
    domain = notes.text(props, "domain") or notes.text(props, "website")
    if domain is not None:
        cleaned = clean_domain(domain)
        if cleaned:
            data["domain"] = cleaned
    properties: dict[str, Any] = {}
    industry = notes.text(props, "industry")
    if industry is not None:
        properties["industry"] = industry_name(industry, industry_map)
    employees = notes.number(props, "numberofemployees", MAX_EMPLOYEES)
    if employees is not None:
        properties["employees"] = _int_or_float(employees)
    country = notes.text(props, "country")
    if country is not None:
        properties["country"] = country
    target = _bool(props.get("hs_is_target_account"))
    if target is not None:
        properties["priority"] = target
    data["properties"] = properties
    score = notes.number(props, fields.account_score, 1e9, -1e9)
    record = AccountRecord(
        id=record_id, data=data, crm_score=None if score is None else round(score)
    )
    return Mapped(record, tuple(notes.items))


# ----------------------------------------------------------------------------- writes


def contact_values(
    update: ContactUpdate, fields: HubSpotFieldNames, probability: bool = False
) -> dict[str, str]:
    """The property strings of one contact update (every field, HubSpot wants strings;
    all empty for a ``clear``, the probability too when ``probability``: the connector
    has a predictive model, so the property is syncd's; otherwise the probability only
    when the update carries one)."""
    if update.clear:
        own = (
            fields.score,
            fields.tier,
            fields.reasons,
            fields.scored_at,
            fields.mql_at,
            fields.priority,
        )
        return dict.fromkeys((*own, fields.probability) if probability else own, "")
    values = {
        fields.score: str(update.score),
        fields.tier: update.tier,
        fields.reasons: update.reasons[:65_000],
        fields.scored_at: hs_datetime(update.scored_at),
        fields.mql_at: "" if update.mql_at is None else hs_datetime(update.mql_at),
        fields.priority: "true" if update.priority else "false",
    }
    if update.probability is not None:
        values[fields.probability] = f"{update.probability:.3f}"
    return values


def account_values(update: AccountUpdate, fields: HubSpotFieldNames) -> dict[str, str]:
    return {
        fields.account_score: str(update.score),
        fields.account_summary: update.summary[:65_000],
    }
