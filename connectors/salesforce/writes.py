"""Score write-back: sObject Collections PATCH (200 records a call of any mix of
Lead, Contact and Account, grouped by type; allOrNone false, results matched by
position) and a Bulk API 2.0 update job per object
above ``bulk_write_threshold`` (results matched by Id). Records refused only for
a row lock (UNABLE_TO_LOCK_ROW) are resubmitted under the client's retry policy.
One outcome per update, in order; the budget guard is checked before every call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from connectors.base import AccountUpdate, ContactUpdate, RetriableError, WriteOutcome
from connectors.salesforce import bulk
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.limits import COLLECTION_MAX
from connectors.salesforce.mapping import sf_datetime

_OBJECTS = {"lead": "Lead", "contact": "Contact"}
_RETRY_LATER = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION"})
_BUDGET = "REQUEST_LIMIT_EXCEEDED"
Update = ContactUpdate | AccountUpdate


def values(update: Update, options: SalesforceOptions) -> tuple[str, dict[str, Any]] | str:
    """(sObject, field values) for an update, or the reason it cannot be written."""
    names = options.fields
    if isinstance(update, AccountUpdate):
        return "Account", {names.account_score: update.score, names.account_summary: update.summary}
    sobject = _OBJECTS.get(update.kind)
    if sobject is None:
        return f"unknown record kind {update.kind!r} (expected lead or contact)"
    return sobject, {
        names.score: update.score,
        names.tier: update.tier,
        names.reasons: update.reasons,
        names.priority: update.priority,
        names.scored_at: sf_datetime(update.scored_at),
        names.mql_at: sf_datetime(update.mql_at) if update.mql_at else None,
    }


def _outcome(record_id: str, errors: Sequence[dict[str, Any]]) -> WriteOutcome:
    codes = [str(e.get("statusCode", "")) for e in errors]
    reason = "; ".join(f"{e.get('statusCode')}: {e.get('message')}" for e in errors) or "failed"
    if _BUDGET in codes:
        return WriteOutcome(record_id, "retriable", reason, rate_limited=True)
    if codes and all(c in _RETRY_LATER for c in codes):
        return WriteOutcome(record_id, "retriable", reason)
    return WriteOutcome(record_id, "rejected", reason)


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "Id"}


def _bulk_outcome(record_id: str, error: str | None) -> WriteOutcome:
    if error is None:
        return WriteOutcome(record_id, "ok")
    code = error.split(":", 1)[0]
    return _outcome(
        record_id, [{"statusCode": code, "message": error[len(code) + 1 :].strip(" -:")}]
    )


class Writer:
    def __init__(
        self,
        client: SalesforceClient,
        options: SalesforceOptions,
        *,
        sleep: Callable[[float], None],
        stop: Callable[[], bool],
    ) -> None:
        self.client = client
        self.options = options
        self.sleep = sleep
        self.stop = stop

    def write(self, updates: Sequence[Update]) -> list[WriteOutcome]:
        outcomes: list[WriteOutcome | None] = [None] * len(updates)
        pending: list[tuple[int, str, dict[str, Any]]] = []
        for index, update in enumerate(updates):
            mapped = values(update, self.options)
            if isinstance(mapped, str):
                outcomes[index] = WriteOutcome(update.id, "rejected", mapped)
            else:
                pending.append((index, mapped[0], {"Id": update.id, **mapped[1]}))
        if len(pending) > self.options.bulk_write_threshold:
            self._bulk(pending, outcomes)
        else:
            self._collections(pending, outcomes)
        return [o if o is not None else WriteOutcome(u.id, "retriable", "not attempted")
                for o, u in zip(outcomes, updates, strict=True)]  # fmt: skip

    def _stopped(
        self, batch: Sequence[tuple[int, str, dict[str, Any]]], outcomes: list[WriteOutcome | None]
    ) -> None:
        for index, _, row in batch:
            outcomes[index] = WriteOutcome(
                str(row["Id"]),
                "retriable",
                "budget guard: API allocation share used",
                rate_limited=True,
            )

    def _collections(
        self,
        pending: Sequence[tuple[int, str, dict[str, Any]]],
        outcomes: list[WriteOutcome | None],
    ) -> None:
        for start in range(0, len(pending), COLLECTION_MAX):
            if self.stop():
                self._stopped(pending[start:], outcomes)
                return
            # one request may mix sObject types; Salesforce processes each run of one
            # type as a chunk (at most 10 per request), so a request is sent by type
            batch = sorted(pending[start : start + COLLECTION_MAX], key=lambda item: item[1])
            self.client.retry_records(lambda items: self._submit(items, outcomes), batch)

    def _submit(
        self, batch: list[tuple[int, str, dict[str, Any]]], outcomes: list[WriteOutcome | None]
    ) -> list[tuple[int, str, dict[str, Any]]]:
        """One Collections PATCH; returns the items that failed only on a row lock."""
        if self.stop():
            self._stopped(batch, outcomes)
            return []
        records = [
            {"attributes": {"type": sobject}, "id": row["Id"], **_fields(row)}
            for _, sobject, row in batch
        ]
        try:
            results = self.client.restful(
                "write scores",
                "composite/sobjects",
                "PATCH",
                json={"allOrNone": False, "records": records},
            )
        except RetriableError as exc:
            limited = "REQUEST_LIMIT_EXCEEDED" in str(exc)
            for index, _, row in batch:
                outcomes[index] = WriteOutcome(str(row["Id"]), "retriable", str(exc), limited)
            return []
        locked = []
        for item, result in zip(batch, results, strict=False):
            index, _, row = item
            if result.get("success"):
                outcomes[index] = WriteOutcome(str(row["Id"]), "ok")
                continue
            errors = result.get("errors") or []
            outcomes[index] = _outcome(str(row["Id"]), errors)
            if errors and all(e.get("statusCode") == "UNABLE_TO_LOCK_ROW" for e in errors):
                locked.append(item)
        return locked

    def _bulk(
        self,
        pending: Sequence[tuple[int, str, dict[str, Any]]],
        outcomes: list[WriteOutcome | None],
    ) -> None:
        by_object: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
        for item in pending:
            by_object.setdefault(item[1], []).append(item)
        for sobject, items in by_object.items():
            if self.stop():
                self._stopped(items, outcomes)
                continue
            try:
                result = bulk.update(
                    self.client,
                    sobject,
                    [row for _, _, row in items],
                    poll_s=self.options.bulk_poll_s,
                    sleep=self.sleep,
                )
            except RetriableError as exc:
                for index, _, row in items:
                    outcomes[index] = WriteOutcome(str(row["Id"]), "retriable", str(exc))
                continue
            for index, _, row in items:
                record_id = str(row["Id"])
                outcomes[index] = _bulk_outcome(record_id, result.errors.get(record_id))
