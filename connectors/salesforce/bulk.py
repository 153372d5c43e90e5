"""Bulk API 2.0: query jobs read as pages of rows, ingest (update) jobs with
per-record results matched by Id (result files come in no particular order).

Each step (create, poll, one results page, upload, close, results) is one
``SalesforceClient.bulk_step``: an expired session logs in again and repeats
that step only, so the job in flight is never lost. Polls sleep through the
injected ``sleep``; CSV columns are read by header, never by position.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from simple_salesforce.bulk2 import Operation, _Bulk2Client

from connectors.base import FatalError, RetriableError
from connectors.kit.paging import PageTrail
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.mapping import Flat, from_csv

#: How many status polls a job gets before the cycle gives up on it.
MAX_POLLS = 720
_DONE = "JobComplete"
_FAILED = ("Failed", "Aborted")


def _parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _wait(
    client: SalesforceClient,
    sobject: str,
    job_id: str,
    *,
    is_query: bool,
    poll_s: float,
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    for poll in range(MAX_POLLS):
        info: dict[str, Any] = client.bulk_step(
            "bulk job status", lambda b: b.get_job(job_id, is_query), sobject
        )
        state = str(info.get("state"))
        if state == _DONE:
            return info
        if state in _FAILED:
            raise RetriableError(
                f"Bulk API job {job_id} on {sobject} ended {state}: "
                f"{info.get('errorMessage', 'no reason given')}"
            )
        if poll + 1 < MAX_POLLS:
            sleep(poll_s)
    raise RetriableError(f"Bulk API job {job_id} on {sobject} did not finish in time")


def query_pages(
    client: SalesforceClient,
    sobject: str,
    soql: str,
    *,
    page_records: int,
    poll_s: float,
    sleep: Callable[[float], None],
) -> Iterator[list[Flat]]:
    """Rows of a ``queryAll`` job (deleted and archived rows included), a page at a time.

    Pages come in no particular order: callers send no ORDER BY (it disables PK
    chunking and risks query timeouts, see ``connectors.salesforce.reads``) and
    must not take a page's last row for a position in the result. A result locator
    handed out twice, or more rows than the job processed, ends the read with
    ``PagingLoop``."""
    job = client.bulk_step(
        "bulk query", lambda b: b.create_job(Operation.query_all, query=soql), sobject
    )
    job_id = str(job["id"])
    info = _wait(client, sobject, job_id, is_query=True, poll_s=poll_s, sleep=sleep)
    processed = info.get("numberRecordsProcessed")
    trail = PageTrail(
        f"Salesforce Bulk query job {job_id} on {sobject}",
        processed if isinstance(processed, int) else None,
    )
    locator = ""
    while True:
        result = client.bulk_step(
            "bulk query results",
            functools.partial(_results_page, job_id=job_id, locator=locator, size=page_records),
            sobject,
        )
        rows = [from_csv(row) for row in _parse(str(result["records"]))]
        trail.count(len(rows))
        yield rows
        locator = str(result.get("locator") or "")
        if not locator:
            return
        trail.follow(locator)


def _results_page(b: _Bulk2Client, *, job_id: str, locator: str, size: int) -> Any:
    return b.get_query_results(job_id, locator, max_records=size)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Per record id: None when it was written, else Salesforce's error text."""

    errors: dict[str, str | None]


def _csv(header: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("#N/A" if row.get(k) is None else _cell(row[k])) for k in header})
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def update(
    client: SalesforceClient,
    sobject: str,
    rows: Sequence[dict[str, Any]],
    *,
    poll_s: float,
    sleep: Callable[[float], None],
) -> IngestResult:
    """One Bulk 2.0 ``update`` job for ``rows`` (each with ``Id``)."""
    header = ["Id", *sorted({k for row in rows for k in row if k != "Id"})]
    data = _csv(header, rows)
    job = client.bulk_step("bulk update", lambda b: b.create_job(Operation.update), sobject)
    job_id = str(job["id"])
    client.bulk_step("bulk upload", lambda b: b.upload_job_data(job_id, data), sobject)
    client.bulk_step("bulk close", lambda b: b.close_job(job_id), sobject)
    _wait(client, sobject, job_id, is_query=False, poll_s=poll_s, sleep=sleep)
    errors: dict[str, str | None] = {}
    ok = client.bulk_step(
        "bulk results", lambda b: b.get_ingest_results(job_id, "successfulResults"), sobject
    )
    for row in _parse(str(ok)):
        errors[row.get("sf__Id") or row.get("Id", "")] = None
    failed = client.bulk_step(
        "bulk results", lambda b: b.get_ingest_results(job_id, "failedResults"), sobject
    )
    for row in _parse(str(failed)):
        record_id = row.get("Id") or row.get("sf__Id") or ""
        errors[record_id] = row.get("sf__Error") or "failed without a reason"
    missing = [str(r["Id"]) for r in rows if str(r["Id"]) not in errors]
    if missing and len(missing) == len(rows):
        raise FatalError(f"Bulk API job {job_id} on {sobject} reported no results")
    for record_id in missing:
        errors[record_id] = "UNPROCESSED: not processed by the Bulk API job"
    return IngestResult(errors)
