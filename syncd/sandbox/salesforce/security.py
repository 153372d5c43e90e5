"""Field-level security of the fake org: custom fields created through the Tooling
API stay hidden from the API user until a permission set assigned to that user
grants them (``FieldPermissions``): absent without Read, read-only without Edit."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from syncd.sandbox.salesforce.errors import WriteError

if TYPE_CHECKING:
    from syncd.sandbox.salesforce.store import Record, Store


def check_field_permission(store: Store, record: Record) -> None:
    """Refuse FieldPermissions a real org refuses (unknown field, Edit without Read)."""
    sobject_name, _, field_name = str(record["Field"]).partition(".")
    target = store.sobject(sobject_name)
    exists = target is not None and field_name and store.has_field(target.name, field_name)
    if not exists or str(record["SobjectType"]).lower() != sobject_name.lower():
        raise WriteError(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"Field Name: bad value for restricted picklist field: {record['Field']}",
            ["Field"],
        )
    if record["PermissionsEdit"] and not record["PermissionsRead"]:
        raise WriteError(
            "FIELD_INTEGRITY_EXCEPTION",
            "Permission Edit depends on permission(s): Read",
            ["PermissionsRead"],
        )
    if store.find(str(record["ParentId"])) is None:
        raise WriteError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["ParentId"])


def apply_security(store: Store) -> None:
    """Show each hidden-at-creation field as the user's permission sets allow:
    absent without read access, read-only without edit access."""
    user = store.default_user_id
    sets = {
        r["PermissionSetId"]
        for r in store.tables_for_security()["PermissionSetAssignment"].values()
        if not r["IsDeleted"] and r["AssigneeId"] and r["AssigneeId"][:15] == user[:15]
    }
    grants: dict[str, bool] = {}  # "Lead.Field__c" (lower) -> can edit
    for r in store.tables_for_security()["FieldPermissions"].values():
        if r["IsDeleted"] or r["ParentId"] not in sets or not r["PermissionsRead"]:
            continue
        key = str(r["Field"]).lower()
        grants[key] = grants.get(key, False) or bool(r["PermissionsEdit"])
    for (sobject_name, lowered), f in store.hidden.items():
        sobject = store.schema[sobject_name]
        key = f"{sobject_name.lower()}.{lowered}"
        if key not in grants:
            sobject.fields.pop(lowered, None)
        else:
            sobject.add(dataclasses.replace(f, updateable=f.updateable and grants[key]))
