"""syncd's own HubSpot properties: what they are, and creating them idempotently.

Contacts get score (number), tier (enumeration), reasons (text), scored-at and MQL-at
(datetimes), a priority flag (bool) and, with a predictive model only, the conversion
probability (number, 0–1); companies an account score and a summary. They
live in their own property group (``fields.group``), created first. A 409 on create means
someone else created it meanwhile: it counts as present.

The tier enumeration's options are the tiers the engine writes (``ensure``'s ``tiers``);
when the property exists without some of them, ``create`` adds them with one PATCH of the
property (HubSpot replaces the whole option list, so the existing options are sent too),
otherwise the property is reported missing with the values to add.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from connectors.base import CheckItem, FieldSpec, FieldsReport
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


#: ``syncd check``'s word for a property a cycle creates by itself (``auto_create_fields``).
WILL_BE_CREATED = "will be created by the next cycle (or `syncd setup`)"
#: The one fix for a property that exists with the wrong type.
WRONG_TYPE_FIX = (
    "rename the HubSpot property, or point the connector's `fields` option at another name"
)


@dataclass(frozen=True, slots=True)
class Wanted:
    spec: FieldSpec
    options: tuple[str, ...] = ()


def wanted(
    fields: HubSpotFieldNames, tiers: tuple[str, ...] = DEFAULT_TIERS, probability: bool = False
) -> list[Wanted]:
    """syncd's properties; the probability property only with ``probability``."""

    def c(name: str, kind: str, label: str) -> FieldSpec:
        return FieldSpec("contacts", name, kind, label)

    return [
        Wanted(c(fields.score, "number", "syncd score")),
        Wanted(c(fields.tier, "enumeration", "syncd tier"), tiers),
        Wanted(c(fields.reasons, "text", "syncd reasons")),
        Wanted(c(fields.scored_at, "datetime", "syncd scored at")),
        Wanted(c(fields.mql_at, "datetime", "syncd MQL at")),
        Wanted(c(fields.priority, "bool", "syncd priority account")),
        *(
            [Wanted(c(fields.probability, "number", "syncd conversion probability"))]
            if probability
            else []
        ),
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


def ensure(
    client: HubSpotClient,
    fields: HubSpotFieldNames,
    create: bool,
    tiers: Sequence[str] = (),
    probability: bool = False,
) -> FieldsReport:
    """Verify (and with ``create``, create or complete) the group and the properties;
    ``tiers`` must all be options of the tier enumeration (empty: not verified, and
    ``DEFAULT_TIERS`` when creating it)."""
    present: list[FieldSpec] = []
    created: list[FieldSpec] = []
    missing: list[FieldSpec] = []
    advice: list[str] = []
    items = wanted(fields, tuple(dict.fromkeys(tiers)) or DEFAULT_TIERS, probability)
    for object_type in ("contacts", "companies"):
        mine = [w for w in items if w.spec.object == object_type]
        answer = client.send("meta", "properties.list", path={"object_type": object_type})
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
            elif tiers and want.spec.type == "enumeration":
                _complete_options(client, want, prop, create, (present, created, missing, advice))
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
                client.send(
                    "meta",
                    "properties.create",
                    path={"object_type": object_type},
                    body=_definition(want, fields.group),
                )
                created.append(want.spec)
            except RequestRejected as exc:
                if exc.status == 409:
                    present.append(want.spec)
                else:
                    missing.append(want.spec)
                    advice.append(f"{object_type}.{want.spec.name}: {exc.message}")
    return FieldsReport(present, created, missing, advice)


Lists = tuple[list[FieldSpec], list[FieldSpec], list[FieldSpec], list[str]]


def _complete_options(
    client: HubSpotClient, want: Wanted, prop: dict[str, Any], create: bool, out: Lists
) -> None:
    """An existing enumeration must offer every wanted option: add the missing ones
    (with ``create``), else report the property missing with the values to add."""
    present, created, missing, advice = out
    options = [o for o in prop.get("options") or [] if isinstance(o, dict)]
    have = {str(o.get("value")) for o in options}
    lacking = [o for o in want.options if o not in have]
    spec = want.spec
    if not lacking:
        present.append(spec)
        return
    where = f"{spec.object}.{spec.name}"
    if not create:
        missing.append(spec)
        advice.append(
            f"{where} lacks the options {', '.join(lacking)} (tiers of the model): run "
            f"`syncd setup` or add them to the property in HubSpot"
        )
        return
    keep = [
        {k: o[k] for k in ("label", "value", "displayOrder", "hidden", "description") if k in o}
        for o in options
    ]
    start = len(keep)
    keep += [
        {"label": t, "value": t, "displayOrder": start + i, "hidden": False}
        for i, t in enumerate(lacking)
    ]
    try:
        client.send(
            "meta",
            "properties.update",
            path={"object_type": spec.object, "name": spec.name},
            body={"options": keep},
        )
        created.append(spec)
    except RequestRejected as exc:
        missing.append(spec)
        advice.append(
            f"{where}: adding the options {', '.join(lacking)} failed ({exc.message}); "
            "add them to the property in HubSpot"
        )


def _ensure_group(client: HubSpotClient, object_type: str, group: str) -> None:
    answer = client.send("meta", "groups.list", path={"object_type": object_type})
    if group in {g.get("name") for g in answer.get("results") or []}:
        return
    try:
        client.send(
            "meta",
            "groups.create",
            path={"object_type": object_type},
            body={"name": group, "label": "syncd lead scoring"},
        )
    except RequestRejected as exc:
        if exc.status != 409:
            raise


def check_items(
    client: HubSpotClient, fields: HubSpotFieldNames, probability: bool = False
) -> list[CheckItem]:
    """``syncd check``'s lines for the properties, read only: a summary of those present,
    one ``ok`` line per property the next cycle creates by itself, one failure per
    property that exists with the wrong type (which no cycle repairs), its fix the same
    words each time so the CLI states it once."""
    present = 0
    items: list[CheckItem] = []
    for object_type in ("contacts", "companies"):
        answer = client.send("meta", "properties.list", path={"object_type": object_type})
        existing = {p["name"]: p for p in answer.get("results") or []}
        for want in wanted(fields, probability=probability):
            spec = want.spec
            if spec.object != object_type:
                continue
            where = f"field {object_type}.{spec.name} ({spec.type})"
            prop = existing.get(spec.name)
            need = HS_TYPES[spec.type][0]
            if prop is None:
                items.append(CheckItem(where, True, WILL_BE_CREATED))
            elif prop.get("type") != need:
                detail = f"exists with type {prop.get('type')!r}; syncd needs {need!r}"
                items.append(CheckItem(where, False, detail, WRONG_TYPE_FIX))
            else:
                present += 1
    return [CheckItem("fields", True, f"{present} syncd properties present"), *items]
