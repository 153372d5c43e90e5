"""REST resources: limits, sObject describe/CRUD and SOQL query with paging."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connectors.salesforce import limits
from syncd.sandbox.http import HttpError, Request, Response, Router
from syncd.sandbox.salesforce.query import Checked
from syncd.sandbox.salesforce.schema import QUERY_LOCATOR_PREFIX, SObjectType
from syncd.sandbox.salesforce.soql import SoqlError
from syncd.sandbox.salesforce.store import WriteError, to_json_value

if TYPE_CHECKING:
    from syncd.sandbox.salesforce.app import SalesforceSandbox

PAGE_SIZE = limits.QUERY_PAGE_MAX
MIN_BATCH = limits.QUERY_PAGE_MIN


@dataclass(slots=True)
class Cursor:
    rows: list[dict[str, Any]]
    position: int
    batch: int
    endpoint: str


class Cursors:
    """Open query locators: each keeps a snapshot of the remaining rows."""

    def __init__(self) -> None:
        self._open: dict[str, Cursor] = {}
        self._lock = threading.Lock()

    def page(self, cursor: Cursor, version: str, locator: str | None = None) -> dict[str, Any]:
        end = cursor.position + cursor.batch
        records = cursor.rows[cursor.position : end]
        body: dict[str, Any] = {"totalSize": len(cursor.rows), "done": end >= len(cursor.rows)}
        with self._lock:
            if end < len(cursor.rows):
                locator = locator or QUERY_LOCATOR_PREFIX + secrets.token_hex(8)[:12].upper()
                cursor.position = end
                self._open[locator] = cursor
                body["nextRecordsUrl"] = (
                    f"/services/data/v{version}/{cursor.endpoint}/{locator}-{end}"
                )
            elif locator:
                self._open.pop(locator, None)
        body["records"] = records
        return body

    def get(self, token: str) -> tuple[str, Cursor] | None:
        locator, _, start = token.partition("-")
        with self._lock:
            cursor = self._open.get(locator)
        if cursor is None or not start.isdigit():
            return None
        cursor.position = int(start)
        return locator, cursor


def sf_error(status: int, code: str, message: str, fields: list[str] | None = None) -> HttpError:
    item: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        item["fields"] = fields
    return HttpError(status, [item])


def json_object(request: Request, type_name: str) -> dict[str, Any]:
    """The request body as a JSON object, else Salesforce's 400 JSON_PARSER_ERROR."""
    body = request.json()
    if not isinstance(body, dict):
        raise sf_error(400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of {type_name}")
    return body


def write_error(exc: WriteError) -> HttpError:
    return sf_error(400, exc.code, exc.message, exc.fields)


def sobject_or_404(sb: SalesforceSandbox, name: str) -> SObjectType:
    sobject = sb.store.sobject(name)
    if sobject is None:
        raise sf_error(404, "NOT_FOUND", "The requested resource does not exist")
    return sobject


def batch_size(request: Request) -> int:
    options = request.headers.get("sforce-query-options", "")
    for part in options.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH, min(PAGE_SIZE, int(value.strip())))
    return PAGE_SIZE


def register(router: Router, sb: SalesforceSandbox) -> None:
    v = sb.version
    base = f"/services/data/v{v}"

    def resources(request: Request) -> Response:
        names = ("sobjects", "query", "queryAll", "limits", "tooling", "composite", "jobs")
        return Response(200, {n: f"{base}/{n}" for n in names})

    def limits(request: Request) -> Response:
        used, limit = sb.api_usage.used, sb.api_usage.limit
        jobs = sb.jobs.count()
        return Response(
            200,
            {
                "DailyApiRequests": {"Max": limit, "Remaining": max(0, limit - used)},
                "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000 - jobs},
                "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
                "DataStorageMB": {"Max": 1024, "Remaining": 1000},
            },
        )

    def global_describe(request: Request) -> Response:
        items = []
        for sobject in sb.store.schema.values():
            full = sobject.describe(v)
            items.append(
                {
                    k: full[k]
                    for k in (
                        "name",
                        "label",
                        "labelPlural",
                        "keyPrefix",
                        "custom",
                        "queryable",
                        "updateable",
                        "urls",
                    )
                }
            )
        return Response(200, {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": items})

    def describe(request: Request) -> Response:
        with sb.lock:
            return Response(200, sobject_or_404(sb, request.params["sobject"]).describe(v))

    def basic_info(request: Request) -> Response:
        with sb.lock:
            full = sobject_or_404(sb, request.params["sobject"]).describe(v)
        info = {k: full[k] for k in ("name", "label", "keyPrefix", "custom", "urls")}
        return Response(200, {"objectDescribe": info, "recentItems": []})

    def get_record(request: Request) -> Response:
        with sb.lock:
            sobject = sobject_or_404(sb, request.params["sobject"])
            record = sb.store.get(sobject.name, request.params["record_id"], include_deleted=False)
            if record is None:
                raise sf_error(404, "NOT_FOUND", "The requested resource does not exist")
            wanted = request.args("fields")
            names = [f.name for f in sobject.fields.values()]
            if wanted:
                unknown = [w for w in wanted if sobject.field(w) is None]
                if unknown:
                    raise sf_error(
                        400,
                        "INVALID_FIELD",
                        f"No such column '{unknown[0]}' on sobject of type {sobject.name}",
                    )
                names = [f.name for w in wanted if (f := sobject.field(w)) is not None]
        url = f"{base}/sobjects/{sobject.name}/{record['Id']}"
        body: dict[str, Any] = {"attributes": {"type": sobject.name, "url": url}}
        body.update({name: to_json_value(record.get(name)) for name in names})
        return Response(200, body)

    def patch_record(request: Request) -> Response:
        data = json_object(request, "SObject")
        with sb.lock:
            sobject = sobject_or_404(sb, request.params["sobject"])
            record_id = request.params["record_id"]
            if sb.store.get(sobject.name, record_id, include_deleted=True) is None:
                raise sf_error(404, "NOT_FOUND", "The requested resource does not exist")
            try:
                sb.store.update(sobject.name, record_id, data, validate=True)
            except WriteError as exc:
                if exc.code == "ENTITY_IS_DELETED":
                    raise sf_error(404, "ENTITY_IS_DELETED", "entity is deleted", []) from None
                raise write_error(exc) from None
        return Response(204)

    def create_record(request: Request) -> Response:
        data = json_object(request, "SObject")
        with sb.lock:
            sobject = sobject_or_404(sb, request.params["sobject"])
            try:
                record_id = sb.store.insert(sobject.name, data, validate=True)
            except WriteError as exc:
                raise write_error(exc) from None
        return Response(201, {"id": record_id, "success": True, "errors": []})

    def delete_record(request: Request) -> Response:
        with sb.lock:
            sobject = sobject_or_404(sb, request.params["sobject"])
            record_id = request.params["record_id"]
            if sb.store.get(sobject.name, record_id, include_deleted=True) is None:
                raise sf_error(404, "NOT_FOUND", "The requested resource does not exist")
            try:
                sb.store.delete(sobject.name, record_id)
            except WriteError as exc:
                raise sf_error(404, exc.code, exc.message, []) from None
        return Response(204)

    def run_query(request: Request, *, include_deleted: bool) -> Response:
        soql = request.arg("q")
        if not soql:
            raise sf_error(400, "MALFORMED_QUERY", "A query string has to be specified")
        endpoint = "queryAll" if include_deleted else "query"
        with sb.lock:
            try:
                checked = Checked(sb.store, soql)
                rows = checked.rows(include_deleted=include_deleted)
                if checked.query.count:
                    return Response(200, {"totalSize": len(rows), "done": True, "records": []})
                projected = [checked.project(r, v) for r in rows]
            except SoqlError as exc:
                raise sf_error(400, exc.code, exc.message) from None
        cursor = Cursor(projected, 0, batch_size(request), endpoint)
        return Response(200, sb.cursors.page(cursor, v))

    def more(request: Request) -> Response:
        found = sb.cursors.get(request.params["locator"])
        if found is None:
            raise sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        locator, cursor = found
        return Response(200, sb.cursors.page(cursor, v, locator))

    router.add("GET", base, resources)
    router.add("GET", f"{base}/limits", limits)
    router.add("GET", f"{base}/sobjects", global_describe)
    router.add("GET", f"{base}/sobjects/{{sobject}}/describe", describe)
    router.add("GET", f"{base}/sobjects/{{sobject}}", basic_info)
    router.add("POST", f"{base}/sobjects/{{sobject}}", create_record)
    router.add("GET", f"{base}/sobjects/{{sobject}}/{{record_id}}", get_record)
    router.add("PATCH", f"{base}/sobjects/{{sobject}}/{{record_id}}", patch_record)
    router.add("DELETE", f"{base}/sobjects/{{sobject}}/{{record_id}}", delete_record)
    router.add("GET", f"{base}/query", lambda r: run_query(r, include_deleted=False))
    router.add("GET", f"{base}/queryAll", lambda r: run_query(r, include_deleted=True))
    router.add("GET", f"{base}/query/{{locator}}", more)
    router.add("GET", f"{base}/queryAll/{{locator}}", more)
