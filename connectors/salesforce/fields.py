"""syncd's custom fields on Lead, Contact and Account: verify them from describe,
create them through the Tooling API and grant field-level security through the
configured permission set (assigned to the API user) — a no-op when all is there.

The tier picklist is created with the tiers the engine writes (``ensure``'s ``tiers``).
An existing tier picklist lacking some of them is reported: as missing when the
picklist is restricted (Salesforce would refuse those writes), else as advice only
(an unrestricted picklist stores any value, but list views and reports offer only
its defined values). syncd does not edit an existing picklist's values: that is a
metadata change for an admin (Setup, or the Metadata API).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.base import FatalError, FieldSpec, FieldsReport
from connectors.salesforce import soql
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.config import SalesforceFieldNames
from connectors.salesforce.limits import COLLECTION_MAX

PEOPLE = ("Lead", "Contact")
OBJECTS = ("Lead", "Contact", "Account")
TIERS = ("unqualified", "nurture", "mql", "hot", "disqualified")


@dataclass(frozen=True, slots=True)
class Required:
    """One field syncd needs: how to create it and which describe types satisfy it."""

    spec: FieldSpec
    metadata: dict[str, Any]
    accepts: frozenset[str]


def _required(
    obj: str, name: str, kind: str, label: str, meta: dict[str, Any], accepts: set[str]
) -> Required:
    return Required(FieldSpec(obj, name, kind, label), {"label": label, **meta}, frozenset(accepts))


def required_fields(
    names: SalesforceFieldNames, tiers: Sequence[str] = TIERS, probability: bool = False
) -> list[Required]:
    """syncd's fields; the conversion probability (Number(4,3), 0–1 at three
    decimals) on Lead and Contact only with ``probability``."""
    out: list[Required] = []
    picklist = {
        "type": "Picklist",
        "valueSet": {
            "restricted": False,
            "valueSetDefinition": {
                "sorted": False,
                "value": [{"fullName": t, "label": t, "default": False} for t in tiers],
            },
        },
    }
    for obj in PEOPLE:
        out += [
            _required(obj, names.score, "Number(5,0)", "Syncd Score",
                      {"type": "Number", "precision": 5, "scale": 0}, {"double", "int"}),
            _required(obj, names.tier, "Picklist", "Syncd Tier", picklist, {"picklist", "string"}),
            _required(obj, names.reasons, "LongTextArea(2000)", "Syncd Reasons",
                      {"type": "LongTextArea", "length": 2000, "visibleLines": 3},
                      {"textarea", "string"}),
            _required(obj, names.scored_at, "DateTime", "Syncd Scored At",
                      {"type": "DateTime"}, {"datetime"}),
            _required(obj, names.mql_at, "DateTime", "Syncd MQL At",
                      {"type": "DateTime"}, {"datetime"}),
            _required(obj, names.priority, "Checkbox", "Syncd Priority",
                      {"type": "Checkbox", "defaultValue": False}, {"boolean"}),
        ]  # fmt: skip
        if probability:
            out.append(
                _required(obj, names.probability, "Number(4,3)", "Syncd Conversion Probability",
                          {"type": "Number", "precision": 4, "scale": 3}, {"double", "percent"})
            )  # fmt: skip
    out += [
        _required("Account", names.account_score, "Number(5,0)", "Syncd Account Score",
                  {"type": "Number", "precision": 5, "scale": 0}, {"double", "int"}),
        _required("Account", names.account_summary, "LongTextArea(2000)", "Syncd Account Summary",
                  {"type": "LongTextArea", "length": 2000, "visibleLines": 3},
                  {"textarea", "string"}),
    ]  # fmt: skip
    return out


@dataclass(slots=True)
class Verdict:
    present: list[Required] = field(default_factory=list)
    absent: list[Required] = field(default_factory=list)  # missing or invisible
    read_only: list[Required] = field(default_factory=list)
    wrong_type: list[tuple[Required, str]] = field(default_factory=list)
    #: Tier picklists lacking values: (field, values, restricted).
    lacking: list[tuple[Required, list[str], bool]] = field(default_factory=list)


def describe_fields(client: SalesforceClient, obj: str) -> dict[str, dict[str, Any]]:
    """The fields of ``obj`` the API user can see, by lower-cased name."""
    described = client.describe(obj)
    return {str(f["name"]).lower(): f for f in described.get("fields", [])}


def verify(
    client: SalesforceClient,
    required: Sequence[Required],
    described: dict[str, dict[str, dict[str, Any]]] | None = None,
    tiers: Sequence[str] = (),
) -> Verdict:
    """Check ``required`` against fresh describes of Lead, Contact and Account (and a
    picklist tier field against ``tiers``); the describes are also left in
    ``described`` (by object) for the caller to reuse."""
    verdict = Verdict()
    seen = {obj: describe_fields(client, obj) for obj in OBJECTS}
    if described is not None:
        described.clear()
        described.update(seen)
    for item in required:
        found = seen[item.spec.object].get(item.spec.name.lower())
        if found is None:
            verdict.absent.append(item)
        elif str(found.get("type")) not in item.accepts:
            verdict.wrong_type.append((item, str(found.get("type"))))
        elif not found.get("updateable"):
            verdict.read_only.append(item)
        else:
            verdict.present.append(item)
            lacking = _lacking_values(item, found, tiers)
            if lacking:
                verdict.lacking.append((item, lacking, bool(found.get("restrictedPicklist"))))
    return verdict


def _lacking_values(item: Required, found: dict[str, Any], tiers: Sequence[str]) -> list[str]:
    if item.spec.type != "Picklist" or found.get("type") != "picklist":
        return []
    active = {
        str(v.get("value"))
        for v in found.get("picklistValues") or []
        if isinstance(v, dict) and v.get("active", True)
    }
    return [t for t in dict.fromkeys(tiers) if t not in active]


def advice(verdict: Verdict, connector: str, permission_set: str) -> list[str]:
    lines = []
    for item in verdict.absent:
        s = item.spec
        lines.append(
            f"{s.object}.{s.name} ({s.type}): not found, or not visible to the API user. "
            f"Create it with `syncd setup --connector {connector}`, or if it exists grant "
            f"Read and Edit on it in permission set {permission_set} (assigned to that user)."
        )
    for item in verdict.read_only:
        s = item.spec
        lines.append(
            f"{s.object}.{s.name} ({s.type}): readable but not editable by the API user. "
            f"Grant Edit on it in permission set {permission_set}, or run "
            f"`syncd setup --connector {connector}`."
        )
    for item, found in verdict.wrong_type:
        s = item.spec
        lines.append(
            f"{s.object}.{s.name} ({s.type}): exists with type {found}. Point the connector's "
            f"`fields` option at a {s.type} field, or change this field's type in Setup."
        )
    for item, values, restricted in verdict.lacking:
        s = item.spec
        effect = (
            "it is restricted, so Salesforce refuses those tiers"
            if restricted
            else "it is unrestricted, so the values are stored, but list views and reports "
            "do not offer them"
        )
        lines.append(
            f"{s.object}.{s.name} ({s.type}): the picklist lacks the model's tiers "
            f"{', '.join(values)}; {effect}. Add them in Setup > Object Manager > "
            f"{s.object} > Fields & Relationships > {s.name} > Values (syncd does not edit "
            "existing picklists)."
        )
    return lines


def report(
    verdict: Verdict, connector: str, permission_set: str, created: Sequence[FieldSpec] = ()
) -> FieldsReport:
    done = {(c.object, c.name) for c in created}
    refused = {(r.spec.object, r.spec.name) for r, _, restricted in verdict.lacking if restricted}
    present = [
        r.spec for r in verdict.present if (r.spec.object, r.spec.name) not in done | refused
    ]
    missing = [
        *(r.spec for r in verdict.absent),
        *(r.spec for r in verdict.read_only),
        *(r.spec for r, _ in verdict.wrong_type),
        *(r.spec for r, _, restricted in verdict.lacking if restricted),
    ]
    return FieldsReport(present, list(created), missing, advice(verdict, connector, permission_set))


def _create(client: SalesforceClient, item: Required) -> None:
    body = {"FullName": f"{item.spec.object}.{item.spec.name}", "Metadata": item.metadata}
    try:
        client.tooling(
            f"create {item.spec.object}.{item.spec.name}", "sobjects/CustomField", "POST", body
        )
    except FatalError as exc:
        if exc.code != "DUPLICATE_DEVELOPER_NAME":  # the structured errorCode
            raise
        # it exists but the user cannot see it: granting access below fixes that


def _permission_set(client: SalesforceClient, name: str) -> str:
    """The permission set's id, creating it and assigning it to the API user if needed."""
    text = soql.select("PermissionSet", ("Id",), soql.eq("Name", soql.identifier(name)))
    records = next(client.query_pages(text, include_deleted=False)).get("records", [])
    if records:
        ps = str(records[0]["Id"])
    else:
        created = client.restful(
            f"create permission set {name}",
            "sobjects/PermissionSet",
            "POST",
            json={"Name": name, "Label": name.replace("_", " ")},
        )
        ps = str(created["id"])
    user = client.user_id
    if not user:
        return ps
    where = soql.and_(soql.eq("PermissionSetId", ps), soql.eq("AssigneeId", soql.record_id(user)))
    assigned = next(
        client.query_pages(
            soql.select("PermissionSetAssignment", ("Id",), where), include_deleted=False
        )
    ).get("records", [])
    if not assigned:
        client.restful(
            f"assign permission set {name}",
            "sobjects/PermissionSetAssignment",
            "POST",
            json={"AssigneeId": user, "PermissionSetId": ps},
        )
    return ps


def grant(client: SalesforceClient, permission_set: str, items: Sequence[Required]) -> None:
    """Read and Edit on each field through the permission set (updates existing grants)."""
    if not items:
        return
    ps = _permission_set(client, permission_set)
    wanted = {f"{i.spec.object}.{i.spec.name}".lower(): i for i in items}
    text = soql.select("FieldPermissions", ("Id", "Field"), soql.eq("ParentId", ps))
    existing: dict[str, str] = {}
    for page in client.query_pages(text, include_deleted=False):
        for record in page.get("records", []):
            existing[str(record["Field"]).lower()] = str(record["Id"])
    records: list[dict[str, Any]] = []
    for key, item in wanted.items():
        values = {"PermissionsRead": True, "PermissionsEdit": True}
        if key in existing:
            records.append(
                {"attributes": {"type": "FieldPermissions"}, "id": existing[key], **values}
            )
        else:
            records.append(
                {
                    "attributes": {"type": "FieldPermissions"},
                    "ParentId": ps,
                    "SobjectType": item.spec.object,
                    "Field": f"{item.spec.object}.{item.spec.name}",
                    **values,
                }
            )
    for method, batch in (
        ("PATCH", [r for r in records if "id" in r]),
        ("POST", [r for r in records if "id" not in r]),
    ):
        for start in range(0, len(batch), COLLECTION_MAX):
            chunk = batch[start : start + COLLECTION_MAX]
            results = client.restful(
                "grant field access",
                "composite/sobjects",
                method,
                json={"allOrNone": False, "records": chunk},
            )
            for record, result in zip(chunk, results, strict=False):
                if not result.get("success"):
                    errors = "; ".join(
                        f"{e.get('statusCode')}: {e.get('message')}"
                        for e in result.get("errors", [])
                    )
                    raise FatalError(
                        f"granting access to {record.get('Field', record.get('id'))} through "
                        f"permission set {permission_set} failed: {errors}"
                    )


def ensure(
    client: SalesforceClient,
    names: SalesforceFieldNames,
    connector: str,
    create: bool,
    described: dict[str, dict[str, dict[str, Any]]] | None = None,
    tiers: Sequence[str] = (),
    probability: bool = False,
) -> FieldsReport:
    """Verify (and with ``create``, create and grant) syncd's fields; a picklist
    tier field must hold every one of ``tiers`` (empty: not verified, and
    ``TIERS`` when creating it). The last describes made are left in ``described``."""
    required = required_fields(names, tuple(dict.fromkeys(tiers)) or TIERS, probability)
    verdict = verify(client, required, described, tiers)
    if not create or not (verdict.absent or verdict.read_only):
        return report(verdict, connector, names.permission_set)
    before_absent = {(r.spec.object, r.spec.name) for r in verdict.absent}
    for item in verdict.absent:
        _create(client, item)
    grant(client, names.permission_set, [*verdict.absent, *verdict.read_only])
    after = verify(client, required, described, tiers)
    created = [r.spec for r in after.present if (r.spec.object, r.spec.name) in before_absent]
    return report(after, connector, names.permission_set, created)
