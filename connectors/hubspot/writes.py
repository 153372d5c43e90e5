"""Write-back: batch updates of at most 100 inputs, per-record outcomes.

A 207 answer lists failed inputs in ``errors[]`` with their ids (the SDK does not raise
for it); an input neither in ``results`` nor in ``errors`` is reported retriable. A 400
for the whole batch (one invalid value can cause it) is split in halves until the bad
inputs are isolated, so the valid ones are still written. Batches run with bounded
concurrency; the budget guard is asked before each batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from typing import Any

from connectors.base import RetriableError, WriteOutcome
from connectors.hubspot import limits
from connectors.hubspot.client import HubSpotClient, RateLimited, RequestRejected

Item = tuple[str, dict[str, str]]  # (record id, property values)

#: errors[] categories that mean "this record or value is refused" (not worth retrying).
REJECTED_CATEGORIES = frozenset(
    {"VALIDATION_ERROR", "OBJECT_NOT_FOUND", "INVALID_EMAIL", "READ_ONLY_VALUE", "CONFLICT"}
)


def chunks(items: Sequence[Item], size: int = limits.BATCH_MAX) -> Iterator[list[Item]]:
    """Batches of at most ``size``; an id never appears twice in one batch (HubSpot
    refuses duplicate ids in a batch)."""
    batch: list[Item] = []
    ids: set[str] = set()
    for item in items:
        if len(batch) == size or item[0] in ids:
            yield batch
            batch, ids = [], set()
        batch.append(item)
        ids.add(item[0])
    if batch:
        yield batch


def write_all(
    client: HubSpotClient, object_type: str, items: Sequence[Item], executor: Executor
) -> list[WriteOutcome]:
    """One outcome per item, in order."""
    results = executor.map(lambda b: write_batch(client, object_type, b), chunks(items))
    return [outcome for batch in results for outcome in batch]


def write_batch(client: HubSpotClient, object_type: str, batch: list[Item]) -> list[WriteOutcome]:
    """Write one batch (<= 100), splitting it on a whole-batch 400."""
    if client.meter.snapshot().stop:
        return [_retry(i, "budget guard: daily API share spent", limited=True) for i, _ in batch]
    body = {"inputs": [{"id": rid, "properties": values} for rid, values in batch]}
    try:
        answer = client.send(
            "write", "objects.batch_update", path={"object_type": object_type}, body=body
        )
    except RequestRejected as exc:
        if exc.status == 400 and len(batch) > 1:
            half = len(batch) // 2
            return write_batch(client, object_type, batch[:half]) + write_batch(
                client, object_type, batch[half:]
            )
        reason = f"HubSpot refused the update ({exc.status} {exc.category}): {exc.message}"
        return [WriteOutcome(rid, "rejected", reason) for rid, _ in batch]
    except RateLimited as exc:
        return [_retry(rid, str(exc), limited=True) for rid, _ in batch]
    except RetriableError as exc:
        return [_retry(rid, str(exc)) for rid, _ in batch]
    answer = answer if isinstance(answer, dict) else {}
    done = {str(r.get("id")) for r in answer.get("results") or []}
    failed: dict[str, WriteOutcome] = {}
    for error in answer.get("errors") or []:
        category = str(error.get("category") or "")
        message = str(error.get("message") or "")[:500]
        context = error.get("context") or {}
        rule = _rule_message(error)
        for rid in context.get("ids", []) or []:
            if rule is not None:  # retrying cannot help: dead-lettered at once
                reason = f"refused by the portal's validation rule: {rule}"
                failed[str(rid)] = WriteOutcome(str(rid), "rejected", reason, final=True)
            elif category in REJECTED_CATEGORIES:
                failed[str(rid)] = WriteOutcome(str(rid), "rejected", f"{category}: {message}")
            else:
                limited = category == "RATE_LIMITS"
                failed[str(rid)] = _retry(str(rid), f"{category}: {message}", limited=limited)
    out = []
    for rid, _ in batch:
        if rid in failed:
            out.append(failed[rid])
        elif rid in done:
            out.append(WriteOutcome(rid, "ok"))
        else:
            out.append(_retry(rid, "HubSpot's answer did not mention this record"))
    return out


def _rule_message(error: dict[str, Any]) -> str | None:
    """The rule's message when a portal's validation rule refused the input (dated
    versions, ``subCategory`` naming a validation rule), else None."""
    sub = str(error.get("subCategory") or "")
    if error.get("category") != "VALIDATION_ERROR" or "VALIDATION_RULE" not in sub:
        return None
    details = [d for d in error.get("errors") or [] if isinstance(d, dict) and d.get("message")]
    where = f" ({details[0]['in']})" if details and details[0].get("in") else ""
    text = str(details[0]["message"]) if details else str(error.get("message") or "")
    return (text + where)[:500]


def _retry(rid: str, reason: str, *, limited: bool = False) -> WriteOutcome:
    return WriteOutcome(rid, "retriable", reason, rate_limited=limited)
