"""Tooling API: create custom fields (`POST /tooling/sobjects/CustomField`).

Metadata is validated as a real org does (label always; Text length; Number
precision and scale; Checkbox defaultValue; Picklist values). A new field is
hidden from the API user until field-level security grants it through a
permission set assigned to that user (`FieldPermissions`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from syncd.sandbox.http import Request, Response, Router
from syncd.sandbox.salesforce.rest import json_object, sf_error
from syncd.sandbox.salesforce.schema import CUSTOM_FIELD_PREFIX, SField

if TYPE_CHECKING:
    from syncd.sandbox.salesforce.app import SalesforceSandbox

_FULL_NAME = re.compile(r"^(?P<object>[A-Za-z]\w*)\.(?P<field>[A-Za-z][A-Za-z0-9_]*__c)$")
_TYPES = {
    "Number": "double",
    "Currency": "currency",
    "Percent": "percent",
    "Text": "string",
    "TextArea": "textarea",
    "LongTextArea": "textarea",
    "Checkbox": "boolean",
    "Date": "date",
    "DateTime": "datetime",
    "Picklist": "picklist",
    "Email": "email",
    "Url": "url",
    "Phone": "phone",
}


#: Metadata keys each field type needs, as the Metadata API insists.
_NEEDS = {
    "Text": ("length",),
    "TextArea": (),
    "LongTextArea": ("length", "visibleLines"),
    "Number": ("precision", "scale"),
    "Currency": ("precision", "scale"),
    "Percent": ("precision", "scale"),
    "Checkbox": ("defaultValue",),
}


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _picklist_values(metadata: dict[str, Any]) -> tuple[str, ...]:
    value_set = metadata.get("valueSet")
    definition = value_set.get("valueSetDefinition") if isinstance(value_set, dict) else None
    values = definition.get("value") if isinstance(definition, dict) else None
    if not isinstance(values, list):
        return ()
    return tuple(str(v["fullName"]) for v in values if isinstance(v, dict) and v.get("fullName"))


def _restricted(metadata: dict[str, Any]) -> bool:
    value_set = metadata.get("valueSet")
    return isinstance(value_set, dict) and value_set.get("restricted") is True


def _validate(kind_name: str, metadata: dict[str, Any]) -> None:
    """Refuse Metadata a real org refuses (missing label, length, precision …)."""
    if not str(metadata.get("label") or "").strip():
        raise sf_error(400, "REQUIRED_FIELD_MISSING", "Required field is missing: label", ["label"])
    for key in _NEEDS.get(kind_name, ()):
        if metadata.get(key) is None or metadata.get(key) == "":
            raise sf_error(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"Must specify '{key}' for a CustomField of type {kind_name}",
                [key],
            )
    if kind_name == "Text" and not 1 <= _int(metadata.get("length"), 0) <= 255:
        raise sf_error(
            400, "FIELD_INTEGRITY_EXCEPTION", "Length: value must be between 1 and 255", ["length"]
        )
    if kind_name in ("Number", "Currency", "Percent"):
        precision, scale = _int(metadata.get("precision"), -1), _int(metadata.get("scale"), -1)
        if not 1 <= precision <= 18 or not 0 <= scale <= precision:
            raise sf_error(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                "precision must be 1..18 and scale 0..precision",
                ["precision", "scale"],
            )
    if kind_name == "Picklist" and not _picklist_values(metadata):
        raise sf_error(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            "Picklist must have at least one value (valueSet.valueSetDefinition.value)",
            ["valueSet"],
        )


def register(router: Router, sb: SalesforceSandbox) -> None:
    base = f"/services/data/v{sb.version}/tooling"

    def create_field(request: Request) -> Response:
        body = json_object(request, "CustomField")
        full_name = str(body.get("FullName", ""))
        metadata = body.get("Metadata")
        match = _FULL_NAME.match(full_name)
        if match is None or not isinstance(metadata, dict):
            raise sf_error(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                "FullName must look like Object.Field__c and Metadata must be an object",
                ["FullName"],
            )
        kind = _TYPES.get(str(metadata.get("type", "")))
        if kind is None:
            raise sf_error(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"Unsupported field type: {metadata.get('type')!r}",
                ["Metadata"],
            )
        name = match["field"]
        _validate(str(metadata["type"]), metadata)
        with sb.lock:
            sobject = sb.store.sobject(match["object"])
            if sobject is None:
                raise sf_error(
                    400, "INVALID_TYPE", f"sObject type '{match['object']}' is not supported.", []
                )
            if sb.store.has_field(sobject.name, name):
                raise sf_error(
                    400,
                    "DUPLICATE_DEVELOPER_NAME",
                    f"There's already a field named {name[:-3]} on {sobject.name}.",
                    [],
                )
            length = _int(metadata.get("length"), 255 if kind != "textarea" else 32768)
            if kind in ("double", "currency", "percent", "boolean", "date", "datetime"):
                length = 0
            label = str(metadata["label"])
            field = SField(
                name,
                kind,
                label,
                length,
                updateable=True,
                nillable=kind != "boolean",
                custom=True,
                precision=_int(metadata.get("precision"), 18) if length == 0 else 0,
                scale=_int(metadata.get("scale"), 0) if length == 0 else 0,
                picklist=_picklist_values(metadata),
                restricted=_restricted(metadata),
            )
            # invisible to the API user until a permission set grants it
            sb.store.add_field(sobject.name, field, visible=False)
            field_id = sb.store.ids.mint(CUSTOM_FIELD_PREFIX)
        return Response(
            201, {"id": field_id, "success": True, "errors": [], "warnings": [], "infos": []}
        )

    router.add("POST", f"{base}/sobjects/CustomField", create_field)
