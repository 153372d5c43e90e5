"""Bulk API 2.0 ingest (``update``) jobs with memory bounded by a job's ids, not its data.

The job's CSV is written row by row to a temporary file and uploaded from it as a
stream (no CSV string in memory); the result files (``successfulResults``,
``failedResults``) are read as streams, one CSV line at a time, and each record's
result is kept against its position in the job (the job's own id strings, one
status byte each; Salesforce's error text only for failed records). Result files
come in no particular order, so results are matched by Id. A result step that
fails half-way is repeated whole: setting a position's result twice is harmless.

Salesforce takes at most ``MAX_UPLOAD_BYTES`` of CSV in one job's upload
(150 MB base64-encoded); a job above it is refused here, before the upload.
"""

from __future__ import annotations

import codecs
import csv
import functools
import http
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from typing import IO, Any

from simple_salesforce.bulk2 import Operation, _Bulk2Client
from simple_salesforce.util import call_salesforce

from connectors.base import FatalError, RetriableError
from connectors.salesforce.bulk import wait
from connectors.salesforce.client import SalesforceClient

#: CSV bytes one job's upload may carry (simple-salesforce's bound, 100 MB raw).
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
#: Bytes read from a result file at a time.
CHUNK_BYTES = 64 * 1024
#: Text written to a cell whose value is None: Bulk API 2.0 sets the field to null.
NULL = "#N/A"
_OK, _FAILED = 1, 2


def _cell(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def spill(header: Sequence[str], ids: Sequence[str], rows: Iterable[Sequence[Any]]) -> IO[bytes]:
    """The job's CSV (``Id`` then ``header``; ``rows`` aligned with ``ids``) in a
    temporary file, positioned at its start; the caller closes it."""
    out = tempfile.TemporaryFile()  # noqa: SIM115  (returned open, closed by the caller)
    try:
        text = codecs.getwriter("utf-8")(out)
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["Id", *header])
        for record_id, cells in zip(ids, rows, strict=True):
            writer.writerow([record_id, *(_cell(c) for c in cells)])
        text.flush()
        if out.tell() > MAX_UPLOAD_BYTES:
            raise FatalError(
                f"Bulk API job data of {out.tell():,} bytes is over Salesforce's upload limit "
                f"({MAX_UPLOAD_BYTES:,} bytes)"
            )
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out


def _upload(b: _Bulk2Client, *, job_id: str, data: IO[bytes]) -> None:
    data.seek(0)  # a repeated step sends the whole file again
    url = b._construct_request_url(job_id, False) + "/batches"
    headers = b._get_headers(b.CSV_CONTENT_TYPE, b.JSON_CONTENT_TYPE)
    answer = call_salesforce(url=url, method="PUT", session=b.session, headers=headers, data=data)
    if answer.status_code != http.HTTPStatus.CREATED:
        raise RetriableError(f"Bulk API upload answered HTTP {answer.status_code}")


def lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Text lines (ends kept) of a UTF-8 byte stream; csv joins quoted line breaks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    rest = ""
    for chunk in chunks:
        rest += decoder.decode(chunk)
        *whole, rest = rest.split("\n")
        for line in whole:
            yield line + "\n"
    rest += decoder.decode(b"", final=True)
    if rest:
        yield rest


class _Results:
    """Each job record's result, by its position in the job."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = ids
        self.position = {record_id: n for n, record_id in enumerate(ids)}
        self.status = bytearray(len(ids))
        self.errors: dict[int, str] = {}

    def read(self, b: _Bulk2Client, *, job_id: str, kind: str) -> None:
        url = b._construct_request_url(job_id, False) + "/" + kind
        headers = b._get_headers(b.JSON_CONTENT_TYPE, b.CSV_CONTENT_TYPE)
        answer = call_salesforce(
            url=url, method="GET", session=b.session, headers=headers, stream=True
        )
        with closing(answer):
            rows = csv.reader(lines(answer.iter_content(CHUNK_BYTES)))
            columns = {name: n for n, name in enumerate(next(rows, []))}
            failed = kind == "failedResults"
            # failedResults name the record in Id (sf__Id is empty for an update)
            keys = [
                columns[c]
                for c in (("Id", "sf__Id") if failed else ("sf__Id", "Id"))
                if c in columns
            ]
            error = columns.get("sf__Error")
            for row in rows:
                record_id = next((row[k] for k in keys if k < len(row) and row[k]), "")
                n = self.position.get(record_id)
                if n is None:
                    continue
                if failed:
                    text = row[error] if error is not None and error < len(row) else ""
                    self.status[n] = _FAILED
                    self.errors[n] = text or "failed without a reason"
                else:
                    self.status[n] = _OK
                    self.errors.pop(n, None)

    def outcome(self, n: int) -> str | None:
        """None when written, else Salesforce's error text (or why there is none)."""
        if self.status[n] == _OK:
            return None
        return self.errors.get(n, "UNPROCESSED: not processed by the Bulk API job")


def update(
    client: SalesforceClient,
    sobject: str,
    header: Sequence[str],
    ids: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    poll_s: float,
    sleep: Callable[[float], None],
) -> list[str | None]:
    """One Bulk 2.0 ``update`` job: record ``ids[n]`` gets ``rows[n]`` (aligned with
    ``header``; None sets the field to null). Per record, in ``ids``' order: None
    when written, else the reason."""
    with closing(spill(header, ids, rows)) as data:
        job = client.bulk_step("bulk update", lambda b: b.create_job(Operation.update), sobject)
        job_id = str(job["id"])
        client.bulk_step("bulk upload", lambda b: _upload(b, job_id=job_id, data=data), sobject)
    client.bulk_step("bulk close", lambda b: b.close_job(job_id), sobject)
    wait(client, sobject, job_id, is_query=False, poll_s=poll_s, sleep=sleep)
    results = _Results(ids)
    for kind in ("successfulResults", "failedResults"):
        client.bulk_step(
            "bulk results", functools.partial(results.read, job_id=job_id, kind=kind), sobject
        )
    if ids and not any(results.status):
        raise FatalError(f"Bulk API job {job_id} on {sobject} reported no results")
    return [results.outcome(n) for n in range(len(ids))]
