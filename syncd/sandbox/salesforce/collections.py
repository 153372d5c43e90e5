"""sObject Collections: `POST|PATCH /composite/sobjects` (≤200 records of any mix
of types in at most 10 chunks — runs of one type — allOrNone)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connectors.salesforce import limits
from syncd.sandbox.http import Request, Response, Router
from syncd.sandbox.salesforce.rest import sf_error
from syncd.sandbox.salesforce.store import Record, WriteError

if TYPE_CHECKING:
    from syncd.sandbox.salesforce.app import SalesforceSandbox

MAX_RECORDS = limits.COLLECTION_MAX
#: Each run of records of one type is a chunk; one request may process 10.
MAX_CHUNKS = 10
TOO_MANY_CHUNKS = (
    "Cannot have more than 10 chunks in a single operation. Please rearrange the data to "
    "reduce chunking."
)
ROLLED_BACK = WriteError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
)


def injected_failure(index: int, record_id: str | None) -> WriteError | None:
    """The record error a partial-failure fault gives (every third record, from the first)."""
    if index % 3 != 0:
        return None
    return WriteError(
        "UNABLE_TO_LOCK_ROW",
        f"unable to obtain exclusive access to this record or 1 records: {record_id or ''}",
    )


def register(router: Router, sb: SalesforceSandbox) -> None:
    path = f"/services/data/v{sb.version}/composite/sobjects"

    def parse(request: Request) -> tuple[bool, list[Any]]:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise sf_error(400, "JSON_PARSER_ERROR", "Cannot deserialize: expected {records: []}")
        records = body["records"]
        if len(records) > MAX_RECORDS:
            raise sf_error(
                400,
                "EXCEEDED_ID_LIMIT",
                f"record limit reached. cannot submit more than {MAX_RECORDS} records into this "
                "call",
            )
        types = [
            str((r.get("attributes") or {}).get("type", "")).lower() if isinstance(r, dict) else ""
            for r in records
        ]
        chunks = sum(1 for i, t in enumerate(types) if i == 0 or t != types[i - 1])
        if chunks > MAX_CHUNKS:
            raise sf_error(400, "INVALID_BATCH_REQUEST", TOO_MANY_CHUNKS)
        return bool(body.get("allOrNone", False)), records

    def write(request: Request, *, create: bool) -> Response:
        all_or_none, records = parse(request)
        partial = sb.faults.partial()
        results: list[dict[str, Any]] = []
        failed = False
        with sb.lock:
            saved: list[tuple[str, dict[str, Record]]] = []
            created: list[tuple[str, str]] = []
            for index, item in enumerate(records):
                record_id: str | None = None
                try:
                    if not isinstance(item, dict):
                        raise WriteError("JSON_PARSER_ERROR", "record is not an object")
                    attributes = item.get("attributes") or {}
                    sobject = sb.store.sobject(str(attributes.get("type", "")))
                    if sobject is None:
                        raise WriteError("INVALID_TYPE", "Must send a concrete entity type.")
                    values = {k: v for k, v in item.items() if k not in ("attributes", "id", "Id")}
                    record_id = item.get("id") or item.get("Id")
                    if partial and (fault := injected_failure(index, record_id)):
                        raise fault
                    if create:
                        if record_id:
                            raise WriteError(
                                "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"]
                            )
                        record_id = sb.store.insert(sobject.name, values, validate=True)
                        created.append((sobject.name, record_id))
                    else:
                        if not record_id:
                            raise WriteError(
                                "MISSING_ARGUMENT", "Id not specified in an update call", ["Id"]
                            )
                        sb.store.live(sobject.name, str(record_id))
                        saved.append((sobject.name, sb.store.snapshot(sobject.name, [record_id])))
                        sb.store.update(sobject.name, str(record_id), values, validate=True)
                    results.append({"id": record_id, "success": True, "errors": []})
                except WriteError as exc:  # failed items carry no id: match by position
                    failed = True
                    results.append({"success": False, "errors": [exc.to_json()]})
            if all_or_none and failed:
                for sobject_name, snapshot in reversed(saved):
                    sb.store.restore(sobject_name, snapshot)
                for sobject_name, new_id in created:
                    sb.store.table(sobject_name).pop(new_id, None)
                results = [
                    r if not r["success"] else {"success": False, "errors": [ROLLED_BACK.to_json()]}
                    for r in results
                ]
        return Response(200, results)

    router.add("PATCH", path, lambda r: write(r, create=False))
    router.add("POST", path, lambda r: write(r, create=True))
