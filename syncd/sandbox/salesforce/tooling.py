"""Tooling API: create custom fields (`POST /tooling/sobjects/CustomField`)."""

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


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


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
        with sb.lock:
            sobject = sb.store.sobject(match["object"])
            if sobject is None:
                raise sf_error(
                    400, "INVALID_TYPE", f"sObject type '{match['object']}' is not supported.", []
                )
            if sobject.field(name) is not None:
                raise sf_error(
                    400,
                    "DUPLICATE_DEVELOPER_NAME",
                    f"There's already a field named {name[:-3]} on {sobject.name}.",
                    [],
                )
            length = _int(metadata.get("length"), 255 if kind != "textarea" else 32768)
            if kind in ("double", "currency", "percent", "boolean", "date", "datetime"):
                length = 0
            label = str(metadata.get("label") or name[:-3].replace("_", " "))
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
            )
            sb.store.add_field(sobject.name, field)
            field_id = sb.store.ids.mint(CUSTOM_FIELD_PREFIX)
        return Response(
            201, {"id": field_id, "success": True, "errors": [], "warnings": [], "infos": []}
        )

    router.add("POST", f"{base}/sobjects/CustomField", create_field)
