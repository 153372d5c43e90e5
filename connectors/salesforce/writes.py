"""Score write-back: sObject Collections PATCH (200 records a call of any mix of
Lead, Contact and Account, grouped by type; allOrNone false, results matched by
position) and, above ``bulk_write_threshold`` pending updates, a Bulk API 2.0
update job per object (results matched by Id). The kit's batcher owns the
batches, the switch and the order of outcomes; this module maps an update,
sends one Collections batch (records refused only for a row lock,
UNABLE_TO_LOCK_ROW, are resubmitted under the client's retry policy) and runs
one Bulk job.

A Bulk job's updates are held until the job is answered (the engine records
outcomes in the stream's order), so a job carries at most ``JOB_RECORDS`` records:
the cycle's write memory is bounded by that, not by the org's size. Salesforce
cuts every ingest job into batches of 10,000 records ("Salesforce creates a
separate batch for every 10,000 records in your job data", Bulk API 2.0
Developer Guide, "Understanding Bulk API 2.0 Ingest"), so jobs of 10,000 use the
same daily batch allocation as larger ones and cost only the job's own calls
(create, upload, close, polls, two result files). An ``Item`` is kept small: the
field names are one tuple shared by every item of the same shape, the values a
tuple, the scored-at text shared by every item of a cycle.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.base import FIELD_MISSING, AccountUpdate, Update, WriteOutcome
from connectors.salesforce import ingest
from connectors.salesforce.client import BUDGET_CODE, FIELD_CODE, SalesforceClient
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.mapping import sf_datetime

_OBJECTS = {"lead": "Lead", "contact": "Contact"}
#: Records per Bulk API 2.0 ingest job at most: one of Salesforce's internal batches.
JOB_RECORDS = 10_000
_RETRY_LATER = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION"})


@dataclass(frozen=True, slots=True)
class Item:
    """One update as Salesforce takes it: the sObject, the record id and its field
    values (``names[n]`` gets ``cells[n]``; None clears the field)."""

    sobject: str
    id: str
    names: tuple[str, ...]
    cells: tuple[Any, ...]

    @property
    def row(self) -> dict[str, Any]:
        """The record as a dict, with ``Id``."""
        return {"Id": self.id, **dict(zip(self.names, self.cells, strict=True))}


@functools.lru_cache(maxsize=64)
def _shape(names: tuple[str, ...]) -> tuple[str, ...]:
    """One shared tuple per set of field names."""
    return names


@functools.lru_cache(maxsize=8)
def _stamp(value: datetime) -> str:
    """One shared text per scored-at instant (a cycle scores at one instant)."""
    return sf_datetime(value)


def values(update: Update, options: SalesforceOptions) -> tuple[str, dict[str, Any]] | str:
    """(sObject, field values) for an update, or the reason it cannot be written."""
    names = options.fields
    if isinstance(update, AccountUpdate):
        return "Account", {names.account_score: update.score, names.account_summary: update.summary}
    sobject = _OBJECTS.get(update.kind)
    if sobject is None:
        return f"unknown record kind {update.kind!r} (expected lead or contact)"
    if update.clear:  # the probability field is syncd's only with a predictive model
        own = [names.score, names.tier, names.reasons, names.scored_at, names.mql_at]
        if options.predictive is not None:
            own.append(names.probability)
        return sobject, {**dict.fromkeys(own), names.priority: False}
    row: dict[str, Any] = {
        names.score: update.score,
        names.tier: update.tier,
        names.reasons: update.reasons,
        names.priority: update.priority,
        names.scored_at: _stamp(update.scored_at),
        names.mql_at: sf_datetime(update.mql_at) if update.mql_at else None,
    }
    if update.probability is not None:
        row[names.probability] = round(update.probability, 3)
    return sobject, row


def prepare(update: Update, options: SalesforceOptions) -> Item | WriteOutcome:
    mapped = values(update, options)
    if isinstance(mapped, str):
        return WriteOutcome(update.id, "rejected", mapped)
    sobject, row = mapped
    return Item(sobject, update.id, _shape(tuple(row)), tuple(row.values()))


def _outcome(record_id: str, errors: Sequence[dict[str, Any]]) -> WriteOutcome:
    codes = [str(e.get("statusCode", "")) for e in errors]
    reason = "; ".join(f"{e.get('statusCode')}: {e.get('message')}" for e in errors) or "failed"
    if BUDGET_CODE in codes:
        return WriteOutcome(record_id, "retriable", reason, rate_limited=True, code=BUDGET_CODE)
    if codes and all(c in _RETRY_LATER for c in codes):
        return WriteOutcome(record_id, "retriable", reason, code=codes[0])
    code = FIELD_MISSING if FIELD_CODE in codes else (codes[0] if codes else "")
    return WriteOutcome(record_id, "rejected", reason, code=code)


def _bulk_outcome(record_id: str, error: str | None) -> WriteOutcome:
    if error is None:
        return WriteOutcome(record_id, "ok")
    # Bulk API result files hold "STATUS_CODE:message" in sf__Error
    code = error.split(":", 1)[0]
    return _outcome(
        record_id, [{"statusCode": code, "message": error[len(code) + 1 :].strip(" -:")}]
    )


def send_collection(client: SalesforceClient, batch: list[Item]) -> list[WriteOutcome]:
    """One Collections batch (<= 200), row-locked records resubmitted; in order."""
    outcomes: dict[int, WriteOutcome] = {}
    # one request may mix sObject types; Salesforce processes each run of one
    # type as a chunk (at most 10 per request), so a request is sent by type
    ordered = sorted(enumerate(batch), key=lambda pair: pair[1].sobject)

    def submit(items: list[tuple[int, Item]]) -> list[tuple[int, Item]]:
        records = [
            {
                "attributes": {"type": item.sobject},
                "id": item.id,
                **dict(zip(item.names, item.cells, strict=True)),
            }
            for _, item in items
        ]
        results = client.restful(
            "write scores",
            "composite/sobjects",
            "PATCH",
            json={"allOrNone": False, "records": records},
        )
        locked = []
        for (index, item), result in zip(items, results, strict=False):
            if result.get("success"):
                outcomes[index] = WriteOutcome(item.id, "ok")
                continue
            errors = result.get("errors") or []
            outcomes[index] = _outcome(item.id, errors)
            if errors and all(e.get("statusCode") == "UNABLE_TO_LOCK_ROW" for e in errors):
                locked.append((index, item))
        return locked

    client.retry_records(submit, ordered)
    return [
        outcomes.get(i, WriteOutcome(item.id, "retriable", "not in Salesforce's answer"))
        for i, item in enumerate(batch)
    ]


def send_bulk(
    client: SalesforceClient,
    items: list[Item],
    *,
    poll_s: float,
    sleep: Callable[[float], None],
) -> list[WriteOutcome]:
    """One Bulk API 2.0 update job (every item of one sObject); in order. The job's
    columns are every field of its items; a field an item does not carry is sent
    as null (``#N/A``)."""
    header = sorted({name for shape in {item.names for item in items} for name in shape})

    def rows() -> Iterator[list[Any]]:
        for item in items:
            given = dict(zip(item.names, item.cells, strict=True))
            yield [given.get(name) for name in header]

    errors = ingest.update(
        client,
        items[0].sobject,
        header,
        [item.id for item in items],
        rows(),
        poll_s=poll_s,
        sleep=sleep,
    )
    return [_bulk_outcome(item.id, error) for item, error in zip(items, errors, strict=True)]
