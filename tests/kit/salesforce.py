"""Typing and shared steps for tests that drive simple-salesforce against the fake org."""

from __future__ import annotations

from typing import Any, cast

from syncd.sandbox.salesforce import SalesforceSandbox

#: A ``simple_salesforce.Salesforce``. Its stubs type ``sf.<SObject>`` (resolved
#: by ``__getattr__``) as a union with the bulk handlers and its answers as
#: ``int | dict``, so tests that read answers by key hold the client untyped.
SalesforceClient = Any


def errors_of(exc: BaseException) -> Any:
    """The decoded JSON error body of a simple-salesforce exception (its stubs
    type ``content`` as ``int``)."""
    return cast(Any, exc).content


def grant(app: SalesforceSandbox, sf: SalesforceClient, field: str, *, edit: bool) -> str:
    """Grant `field` through a permission set assigned to the API user; returns its id."""
    found = sf.query("SELECT Id FROM PermissionSet WHERE Name = 'Syncd_Test'")["records"]
    if found:
        ps = found[0]["Id"]
    else:
        ps = sf.PermissionSet.create({"Name": "Syncd_Test", "Label": "Syncd test"})["id"]
        sf.PermissionSetAssignment.create(
            {"AssigneeId": app.integration_user_id, "PermissionSetId": ps}
        )
    sf.FieldPermissions.create(
        {
            "ParentId": ps,
            "SobjectType": field.split(".")[0],
            "Field": field,
            "PermissionsRead": True,
            "PermissionsEdit": edit,
        }
    )
    return str(ps)
