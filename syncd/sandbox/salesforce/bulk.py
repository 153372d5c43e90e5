"""Bulk API 2.0: query jobs (CSV results with locators) and ingest jobs (CSV upload).

Query jobs without ORDER BY return their rows shuffled (deterministically, from the
store's seeded random), as Salesforce's PK-chunked jobs return chunks in no
particular order. Salesforce accepts ORDER BY in a Bulk 2.0 query but documents
that it disables PK chunking and risks timeouts; the fake accepts it too, sorts
as asked, and records the query in ``Jobs.ordered_queries`` so tests can assert
that nobody sends one.
"""

from __future__ import annotations

import base64
import csv
import functools
import io
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from syncd.sandbox.http import Request, Response, Router
from syncd.sandbox.salesforce.collections import injected_failure
from syncd.sandbox.salesforce.query import Checked
from syncd.sandbox.salesforce.rest import sf_error
from syncd.sandbox.salesforce.schema import JOB_PREFIX
from syncd.sandbox.salesforce.soql import SoqlError
from syncd.sandbox.salesforce.store import WriteError, format_datetime

if TYPE_CHECKING:
    from syncd.sandbox.salesforce.app import SalesforceSandbox

DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "PIPE": "|",
    "SEMICOLON": ";",
    "CARET": "^",
    "BACKQUOTE": "`",
}
ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
INGEST_OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
CSV_TYPE = "text/csv"


@dataclass(slots=True)
class Job:
    id: str
    kind: str  # "query" | "ingest"
    operation: str
    sobject: str
    state: str
    created: str
    delimiter: str = "COMMA"
    line_ending: str = "LF"
    external_id: str | None = None
    error: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    successful: list[list[str]] = field(default_factory=list)
    failed: list[list[str]] = field(default_factory=list)
    unprocessed: list[list[str]] = field(default_factory=list)

    def info(self, version: str, created_by: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": created_by,
            "createdDate": self.created,
            "systemModstamp": self.created,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(version),
            "jobType": "V2Query" if self.kind == "query" else "V2Ingest",
            "lineEnding": self.line_ending,
            "columnDelimiter": self.delimiter,
        }
        if self.kind == "ingest":
            body["contentUrl"] = f"services/data/v{version}/jobs/ingest/{self.id}/batches"
            if self.external_id:
                body["externalIdFieldName"] = self.external_id
            body["numberRecordsFailed"] = len(self.failed)
        body["numberRecordsProcessed"] = (
            len(self.rows) if self.kind == "query" else len(self.successful) + len(self.failed)
        )
        body["retries"] = 0
        body["totalProcessingTime"] = 0
        if self.error:
            body["errorMessage"] = self.error
        return body

    def csv(self, header: list[str], rows: list[list[str]]) -> str:
        out = io.StringIO()
        writer = csv.writer(
            out,
            delimiter=DELIMITERS[self.delimiter],
            lineterminator=ENDINGS[self.line_ending],
            quoting=csv.QUOTE_ALL,
        )
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()


class Jobs:
    """Bulk jobs by id."""

    def __init__(self) -> None:
        self.by_id: dict[str, Job] = {}
        self.lock = threading.Lock()
        #: The text of every query job that carried ORDER BY (see the module docstring).
        self.ordered_queries: list[str] = []

    def add(self, job: Job) -> None:
        with self.lock:
            self.by_id[job.id] = job

    def count(self) -> int:
        with self.lock:
            return sum(1 for j in self.by_id.values() if j.kind == "query")


def _locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str) -> int | None:
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4)).decode()
    except ValueError:
        return None
    return int(text) if text.isdigit() else None


def register(router: Router, sb: SalesforceSandbox) -> None:
    base = f"/services/data/v{sb.version}/jobs"

    def new_job(kind: str, body: dict[str, Any]) -> Job:
        delimiter = str(body.get("columnDelimiter") or "COMMA")
        ending = str(body.get("lineEnding") or "LF")
        if delimiter not in DELIMITERS or ending not in ENDINGS:
            raise sf_error(400, "INVALIDJOB", "Invalid columnDelimiter or lineEnding")
        job_id = sb.store.ids.mint(JOB_PREFIX)
        created = format_datetime(sb.store.now())
        return Job(job_id, kind, str(body.get("operation")), "", "Open", created, delimiter, ending)

    def find(kind: str, request: Request) -> Job:
        with sb.jobs.lock:
            job = sb.jobs.by_id.get(request.params["job_id"])
        if job is None or job.kind != kind:
            raise sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        return job

    def info(job: Job) -> Response:
        return Response(200, job.info(sb.version, sb.integration_user_id))

    # -- query jobs -------------------------------------------------------------------
    def create_query(request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or body.get("operation") not in ("query", "queryAll"):
            raise sf_error(400, "INVALIDJOB", "operation must be query or queryAll")
        job = new_job("query", body)
        with sb.lock:
            try:
                checked = Checked(sb.store, str(body.get("query") or ""))
                if checked.query.offset is not None:
                    raise SoqlError(
                        "OFFSET is not supported in Bulk API 2.0 query jobs", "INVALIDJOB"
                    )
                if checked.query.count:
                    raise SoqlError(
                        "COUNT() is not supported in Bulk API 2.0 queries", "INVALIDJOB"
                    )
                rows = checked.rows(include_deleted=body["operation"] == "queryAll")
                if checked.query.order_by:
                    with sb.jobs.lock:
                        sb.jobs.ordered_queries.append(str(body.get("query")))
                else:  # PK chunks finish in no particular order
                    sb.store.random.shuffle(rows)
                job.header = checked.header()
                job.rows = [checked.flat(r) for r in rows]
            except SoqlError as exc:
                raise sf_error(
                    400, "INVALIDJOB" if exc.code == "MALFORMED_QUERY" else exc.code, exc.message
                ) from None
            job.sobject = checked.sobject.name
        job.state = "UploadComplete"  # becomes JobComplete on the next status read
        sb.jobs.add(job)
        return info(job)

    def query_status(request: Request) -> Response:
        job = find("query", request)
        if job.state == "UploadComplete":
            job.state = "JobComplete"
        return info(job)

    def query_results(request: Request) -> Response:
        job = find("query", request)
        if job.state != "JobComplete":
            raise sf_error(400, "INVALIDJOB", f"Job is not complete; state is {job.state}")
        start = 0
        locator = request.arg("locator")
        if locator:
            offset = _offset(locator)
            if offset is None:
                raise sf_error(400, "INVALIDLOCATOR", f"Invalid locator: {locator}")
            start = offset
        max_records = request.arg("maxRecords")
        size = int(max_records) if max_records and max_records.isdigit() else len(job.rows)
        end = start + max(1, size)
        rows = job.rows[start:end]
        headers = {
            "Sforce-Locator": _locator(end) if end < len(job.rows) else "null",
            "Sforce-NumberOfRecords": str(len(rows)),
        }
        return Response(200, job.csv(job.header, rows), headers, content_type=CSV_TYPE)

    def set_state(kind: str, request: Request) -> Response:
        job = find(kind, request)
        body = request.json()
        state = body.get("state") if isinstance(body, dict) else None
        if state == "Aborted" and job.state not in ("JobComplete", "Failed"):
            job.state = "Aborted"
        elif state == "UploadComplete" and kind == "ingest" and job.state == "Open":
            job.state = "UploadComplete"
            process(job)
        else:
            raise sf_error(400, "INVALIDJOB", f"Cannot move a job from {job.state} to {state}")
        response = info(job)
        if job.state == "JobComplete":  # processed already; report the state we were asked for
            body_out = dict(response.body)
            body_out["state"] = "UploadComplete"
            response.body = body_out
        return response

    def delete_job(kind: str, request: Request) -> Response:
        job = find(kind, request)
        with sb.jobs.lock:
            sb.jobs.by_id.pop(job.id, None)
        return Response(204)

    # -- ingest jobs ------------------------------------------------------------------
    def create_ingest(request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or body.get("operation") not in INGEST_OPERATIONS:
            raise sf_error(400, "INVALIDJOB", f"operation must be one of {INGEST_OPERATIONS}")
        with sb.lock:
            sobject = sb.store.sobject(str(body.get("object", "")))
        if sobject is None:
            raise sf_error(400, "INVALIDJOB", f"Entity '{body.get('object')}' is not supported")
        job = new_job("ingest", body)
        job.sobject = sobject.name
        job.external_id = body.get("externalIdFieldName")
        if job.operation == "upsert" and not job.external_id:
            raise sf_error(400, "INVALIDJOB", "externalIdFieldName is required for upsert")
        sb.jobs.add(job)
        return info(job)

    def upload(request: Request) -> Response:
        job = find("ingest", request)
        if job.state != "Open":
            raise sf_error(409, "INVALIDJOB", f"Job is not open for upload; state is {job.state}")
        job.uploads.append(request.text())
        return Response(201)

    def process(job: Job) -> None:
        text = "".join(job.uploads)
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=DELIMITERS[job.delimiter], strict=False
        )
        table = [row for row in reader if row]
        if not table:
            job.state, job.error = "Failed", "InvalidBatch : Empty CSV"
            return
        header, rows = table[0], table[1:]
        job.header = header
        with sb.lock:
            sobject = sb.store.schema[job.sobject]
            unknown = [h for h in header if sobject.field(h) is None]
            if unknown:
                job.state, job.error = (
                    "Failed",
                    f"InvalidBatch : Field name not found : {unknown[0]}",
                )
                job.unprocessed = rows
                return
            partial = sb.faults.partial()
            for index, row in enumerate(rows):
                values = {
                    h: (None if c == "#N/A" else c)
                    for h, c in zip(header, row, strict=False)
                    if c != ""
                }
                record_id = str(values.pop("Id", None) or "")
                try:
                    if partial and (fault := injected_failure(index, record_id)):
                        raise fault
                    created = False
                    if job.operation == "insert":
                        record_id = sb.store.insert(job.sobject, values, validate=True)
                        created = True
                    elif job.operation in ("delete", "hardDelete"):
                        sb.store.delete(job.sobject, record_id)
                    elif job.operation == "update":
                        if not record_id:
                            raise WriteError("MISSING_ARGUMENT", "Id not specified", ["Id"])
                        sb.store.update(job.sobject, record_id, values, validate=True)
                    else:
                        record_id, created = upsert(job, record_id, values)
                    job.successful.append([record_id, "true" if created else "false", *row])
                except WriteError as exc:
                    detail = f"{exc.code}:{exc.message}:{';'.join(exc.fields)} --"
                    job.failed.append([record_id, detail, *row])
            # result files come back in no particular order
            sb.store.random.shuffle(job.successful)
            sb.store.random.shuffle(job.failed)
        job.state = "JobComplete"

    def upsert(job: Job, record_id: str, values: dict[str, Any]) -> tuple[str, bool]:
        key = job.external_id or "Id"
        if key == "Id":
            if record_id:
                sb.store.update(job.sobject, record_id, values, validate=True)
                return record_id, False
            return sb.store.insert(job.sobject, values, validate=True), True
        wanted = values.get(key)
        for record in sb.store.table(job.sobject).values():
            if not record["IsDeleted"] and wanted is not None and record.get(key) == wanted:
                sb.store.update(job.sobject, record["Id"], values, validate=True)
                return str(record["Id"]), False
        return sb.store.insert(job.sobject, values, validate=True), True

    def ingest_status(request: Request) -> Response:
        return info(find("ingest", request))

    def results(kind: str, request: Request) -> Response:
        job = find("ingest", request)
        if kind == "successfulResults":
            text = job.csv(["sf__Id", "sf__Created", *job.header], job.successful)
        elif kind == "failedResults":
            text = job.csv(["sf__Id", "sf__Error", *job.header], job.failed)
        else:
            text = job.csv(job.header, job.unprocessed)
        return Response(200, text, content_type=CSV_TYPE)

    router.add("POST", f"{base}/query", create_query)
    router.add("GET", f"{base}/query/{{job_id}}/results", query_results)
    router.add("GET", f"{base}/query/{{job_id}}", query_status)
    router.add("PATCH", f"{base}/query/{{job_id}}", lambda r: set_state("query", r))
    router.add("DELETE", f"{base}/query/{{job_id}}", lambda r: delete_job("query", r))
    router.add("POST", f"{base}/ingest", create_ingest)
    router.add("PUT", f"{base}/ingest/{{job_id}}/batches", upload)
    for name in ("successfulResults", "failedResults", "unprocessedrecords", "unprocessedRecords"):
        router.add("GET", f"{base}/ingest/{{job_id}}/{name}", functools.partial(results, name))
    router.add("GET", f"{base}/ingest/{{job_id}}", ingest_status)
    router.add("PATCH", f"{base}/ingest/{{job_id}}", lambda r: set_state("ingest", r))
    router.add("DELETE", f"{base}/ingest/{{job_id}}", lambda r: delete_job("ingest", r))
