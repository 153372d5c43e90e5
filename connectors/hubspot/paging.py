"""What the paging guard (``connectors.kit.paging.TokenChains``) needs from a HubSpot
request and its answer: the request's shape and paging token (``after`` or ``offset``
in the query, ``after`` in a search body), the answer's next token
(``paging.next.after``, or ``offset`` while ``hasMore``), its record count and the
result's ``total`` when HubSpot sends one (search)."""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

__all__ = ["paging_answer", "paging_shape", "paging_token"]

#: Where a request carries its paging token (query parameters; ``after`` in a body).
_TOKENS = ("after", "offset")


def paging_token(query: Sequence[tuple[str, Any]], body: Any) -> str | None:
    """The paging token a request carries (None: a first page, or no paged read)."""
    if isinstance(body, dict) and body.get("after") is not None:
        return str(body["after"])
    return next((str(v) for k, v in query if k in _TOKENS), None)


def paging_shape(
    key: str, path: Mapping[str, str] | None, query: Sequence[tuple[str, Any]], body: Any
) -> Hashable:
    """A request's shape: its endpoint and parameters without the paging token."""
    rest = tuple((k, str(v)) for k, v in query if k not in _TOKENS)
    shown_body = ""
    if isinstance(body, dict):
        shown_body = json.dumps({k: v for k, v in body.items() if k != "after"}, sort_keys=True)
    elif body is not None:
        shown_body = json.dumps(body, sort_keys=True, default=str)
    return (key, tuple(sorted((path or {}).items())), rest, shown_body)


def paging_answer(answer: Any) -> tuple[str | None, int, int | None]:
    """An answer's next paging token, its record count and the result's total (if sent)."""
    if not isinstance(answer, dict):
        return None, 0, None
    after = ((answer.get("paging") or {}).get("next") or {}).get("after")
    token = str(after) if after else None
    if token is None and answer.get("hasMore") and answer.get("offset"):
        token = str(answer["offset"])
    items = answer.get("results", answer.get("events"))
    total = answer.get("total")
    count = len(items) if isinstance(items, list) else 0
    return token, count, total if isinstance(total, int) else None
