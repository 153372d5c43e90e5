"""Write-back: batch updates of at most 100 inputs, per-record outcomes.

The kit's batcher forms the batches (one object type a batch, an id at most once a
batch: HubSpot refuses duplicate ids), runs ``max_concurrency`` of them at once within
the client's pacing, and splits a batch HubSpot refused as a whole. This module sends
one batch and reads its answer:

A 207 answer lists failed inputs in ``errors[]`` with their ids (the SDK does not raise
for it); an input neither in ``results`` nor in ``errors`` is reported retriable. A 400
for the whole batch (one invalid value can cause it) is ``BatchRefused``, so the batcher
isolates the bad inputs and the valid ones are still written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from connectors.base import RequestRejected, WriteOutcome
from connectors.hubspot.client import HubSpotClient
from connectors.kit.batcher import BatchRefused

#: errors[] categories that mean "this record or value is refused" (not worth retrying).
REJECTED_CATEGORIES = frozenset(
    {"VALIDATION_ERROR", "OBJECT_NOT_FOUND", "INVALID_EMAIL", "READ_ONLY_VALUE", "CONFLICT"}
)


@dataclass(frozen=True, slots=True)
class Item:
    """One update as HubSpot takes it: object type, record id, property values."""

    object_type: str
    id: str
    values: dict[str, str]


def write_batch(client: HubSpotClient, batch: Sequence[Item]) -> list[WriteOutcome]:
    """Write one batch (<= 100 inputs of one object type); one outcome per input."""
    object_type = batch[0].object_type
    body = {"inputs": [{"id": item.id, "properties": item.values} for item in batch]}
    try:
        answer = client.send(
            "write", "objects.batch_update", path={"object_type": object_type}, body=body
        )
    except RequestRejected as exc:
        reason = f"HubSpot refused the update ({exc.status} {exc.category}): {exc.message}"
        if exc.status == 400:
            raise BatchRefused(reason, exc.category) from exc
        return [WriteOutcome(item.id, "rejected", reason, code=exc.category) for item in batch]
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
                failed[str(rid)] = WriteOutcome(
                    str(rid), "rejected", reason, final=True, code=category
                )
            elif category in REJECTED_CATEGORIES:
                failed[str(rid)] = WriteOutcome(
                    str(rid), "rejected", f"{category}: {message}", code=category
                )
            else:
                limited = category == "RATE_LIMITS"
                failed[str(rid)] = WriteOutcome(
                    str(rid), "retriable", f"{category}: {message}", limited, code=category
                )
    out = []
    for item in batch:
        if item.id in failed:
            out.append(failed[item.id])
        elif item.id in done:
            out.append(WriteOutcome(item.id, "ok"))
        else:
            out.append(
                WriteOutcome(item.id, "retriable", "HubSpot's answer did not mention this record")
            )
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
