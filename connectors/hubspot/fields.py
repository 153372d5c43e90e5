"""syncd's own HubSpot properties: what they are, and creating them idempotently.

Contacts get score (number), tier (enumeration), reasons (text), scored-at and MQL-at
(datetimes) and a priority flag (bool); companies an account score and a summary. They
live in their own property group (``fields.group``), created first. A 409 on create means
someone else created it meanwhile: it counts as present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.base import FieldSpec, FieldsReport
from connectors.hubspot.client import HubSpotClient, RequestRejected
from connectors.hubspot.config import HubSpotFieldNames

#: Tier options of the tier enumeration (the shipped models' tiers).
DEFAULT_TIERS = ("unqualified", "nurture", "mql", "hot", "disqualified")
#: HubSpot (type, fieldType) per syncd field type.
HS_TYPES = {
    "number": ("number", "number"),
    "enumeration": ("enumeration", "select"),
    "text": ("string", "textarea"),
    "datetime": ("datetime", "date"),
    "bool": ("bool", "booleancheckbox"),
}


@dataclass(frozen=True, slots=True)
class Wanted:
    spec: FieldSpec
    options: tuple[str, ...] = ()


def wanted(fields: HubSpotFieldNames, tiers: tuple[str, ...] = DEFAULT_TIERS) -> list[Wanted]:
    def c(name: str, kind: str, label: str) -> FieldSpec:
        return FieldSpec("contacts", name, kind, label)

    return [
        Wanted(c(fields.score, "number", "syncd score")),
        Wanted(c(fields.tier, "enumeration", "syncd tier"), tiers),
        Wanted(c(fields.reasons, "text", "syncd reasons")),
        Wanted(c(fields.scored_at, "datetime", "syncd scored at")),
        Wanted(c(fields.mql_at, "datetime", "syncd MQL at")),
        Wanted(c(fields.priority, "bool", "syncd priority account")),
        Wanted(FieldSpec("companies", fields.account_score, "number", "syncd account score")),
        Wanted(FieldSpec("companies", fields.account_summary, "text", "syncd account summary")),
    ]


def _definition(want: Wanted, group: str) -> dict[str, Any]:
    kind, field_type = HS_TYPES[want.spec.type]
    body: dict[str, Any] = {
        "name": want.spec.name,
        "label": want.spec.label,
        "type": kind,
        "fieldType": field_type,
        "groupName": group,
        "description": "Written by syncd, the lead-scoring sync daemon.",
    }
    if want.spec.type == "enumeration":
        body["options"] = [
            {"label": o, "value": o, "displayOrder": i, "hidden": False}
            for i, o in enumerate(want.options)
        ]
    if want.spec.type == "bool":
        body["options"] = [
            {"label": "Yes", "value": "true", "displayOrder": 0, "hidden": False},
            {"label": "No", "value": "false", "displayOrder": 1, "hidden": False},
        ]
    return body


def ensure(client: HubSpotClient, fields: HubSpotFieldNames, create: bool) -> FieldsReport:
    """Verify (and with ``create``, create) the group and the properties."""
    present: list[FieldSpec] = []
    created: list[FieldSpec] = []
    missing: list[FieldSpec] = []
    advice: list[str] = []
    items = wanted(fields)
    for object_type in ("contacts", "companies"):
        mine = [w for w in items if w.spec.object == object_type]
        answer = client.call("meta", client.properties.get_all_with_http_info, object_type)
        existing = {p["name"]: p for p in answer.get("results") or []}
        absent = []
        for want in mine:
            prop = existing.get(want.spec.name)
            if prop is None:
                absent.append(want)
            elif prop.get("type") != HS_TYPES[want.spec.type][0]:
                missing.append(want.spec)
                have, need = prop.get("type"), HS_TYPES[want.spec.type][0]
                advice.append(
                    f"{object_type}.{want.spec.name} exists with type {have!r}; syncd needs "
                    f"{need!r}: rename it or configure another name"
                )
            else:
                present.append(want.spec)
        if not absent:
            continue
        if not create:
            missing += [w.spec for w in absent]
            advice += [
                f"create {object_type} property {w.spec.name} ({w.spec.type}) in group "
                f"{fields.group!r}, or run `syncd setup`"
                for w in absent
            ]
            continue
        _ensure_group(client, object_type, fields.group)
        for want in absent:
            try:
                client.call(
                    "meta",
                    client.properties.create_with_http_info,
                    object_type,
                    property_create=_definition(want, fields.group),
                )
                created.append(want.spec)
            except RequestRejected as exc:
                if exc.status == 409:
                    present.append(want.spec)
                else:
                    missing.append(want.spec)
                    advice.append(f"{object_type}.{want.spec.name}: {exc.message}")
    return FieldsReport(present, created, missing, advice)


def _ensure_group(client: HubSpotClient, object_type: str, group: str) -> None:
    answer = client.call("meta", client.groups.get_all_with_http_info, object_type)
    if group in {g.get("name") for g in answer.get("results") or []}:
        return
    try:
        client.call(
            "meta",
            client.groups.create_with_http_info,
            object_type,
            property_group_create={"name": group, "label": "syncd lead scoring"},
        )
    except RequestRejected as exc:
        if exc.status != 409:
            raise
