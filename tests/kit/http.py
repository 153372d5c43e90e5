"""A plain HTTP GET for tests of syncd's own endpoints (health, readiness, metrics)."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import NamedTuple


class Answer(NamedTuple):
    status: int
    content_type: str
    body: str


def http_get(url: str, timeout: float = 5) -> Answer:
    """GET ``url``; error statuses are answers too, not exceptions."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return Answer(answer.status, answer.headers["Content-Type"], answer.read().decode())
    except urllib.error.HTTPError as err:
        return Answer(err.code, err.headers["Content-Type"], err.read().decode())
