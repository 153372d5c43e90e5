"""Bulk API 2.0: query jobs read as pages of rows, and the status polls of every job
(ingest jobs: ``connectors.salesforce.ingest``).

Each step (create, poll, one results page) is one
``SalesforceClient.bulk_step``: an expired session logs in again and repeats
that step only, so the job in flight is never lost. Polls sleep through the
injected ``sleep``; CSV columns are read by header, never by position.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterator
from typing import Any

from simple_salesforce.bulk2 import Operation, _Bulk2Client

from connectors.base import RetriableError
from connectors.kit.paging import PageTrail
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.mapping import Flat, from_csv

#: How many status polls a job gets before the cycle gives up on it.
MAX_POLLS = 720
_DONE = "JobComplete"
_FAILED = ("Failed", "Aborted")


def _parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def wait(
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
    info = wait(client, sobject, job_id, is_query=True, poll_s=poll_s, sleep=sleep)
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
