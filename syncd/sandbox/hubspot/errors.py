"""HubSpot-shaped error bodies and the timestamps batch answers carry."""

from __future__ import annotations

import json
import uuid
from typing import Any

from syncd.sandbox.http import HttpError, Request, Response

CATEGORIES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    405: "VALIDATION_ERROR",
    409: "CONFLICT",
    429: "RATE_LIMITS",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def correlation_id() -> str:
    return str(uuid.uuid4())


def body(status: int, message: str, category: str | None = None, **extra: Any) -> dict[str, Any]:
    """`{"status": "error", "message", "correlationId", "category", ...}` as HubSpot answers."""
    out: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
        "category": category or CATEGORIES.get(status, "INTERNAL_ERROR"),
    }
    out.update(extra)
    return out


def fail(status: int, message: str, category: str | None = None, **extra: Any) -> HttpError:
    """An `HttpError` to raise from a handler."""
    return HttpError(status, body(status, message, category, **extra))


def json_object(request: Request) -> dict[str, Any]:
    """The request body, which must be a JSON object (400 in HubSpot's words otherwise)."""
    body = request.json()
    if not isinstance(body, dict):
        raise fail(400, "Invalid input JSON: expected an object")
    return body


def batch_error(message: str, category: str, context: dict[str, list[str]]) -> dict[str, Any]:
    """One entry of `errors[]` in a 207 batch answer (every field the SDK requires)."""
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    }


def invalid_properties(problems: list[dict[str, Any]]) -> HttpError:
    """The 400 HubSpot answers when a write names unknown properties or bad values."""
    text = "Property values were not valid: " + json.dumps(problems, separators=(",", ":"))
    return fail(400, text, "VALIDATION_ERROR")


def batch_answer(
    results: list[dict[str, Any]], errs: list[dict[str, Any]], started: str, ok_status: int = 200
) -> Response:
    """A batch answer: `ok_status` when `errs` is empty, else 207 with `errors[]`."""
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": started,
    }
    if errs:
        body["numErrors"] = len(errs)
        body["errors"] = errs
        return Response(207, body)
    return Response(ok_status, body)
