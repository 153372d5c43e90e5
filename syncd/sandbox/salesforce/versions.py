"""`GET /services/data/`: the REST API versions the fake org lists (no session needed).

A real org lists every version it still serves, oldest first, each as
``{"label": "Spring '26", "url": "/services/data/v66.0", "version": "66.0"}``.
The fake lists 31.0 up to the version it serves by default; ``api_versions=``
on `SalesforceSandbox` replaces the list (to play an org that lacks a version).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from syncd.sandbox.http import Request, Response

OLDEST_SERVED = 31


def label(version: str) -> str:
    """The release that introduced ``version`` ("66.0" -> "Spring '26")."""
    offset = int(float(version)) - 66
    season = ("Spring", "Summer", "Winter")[offset % 3]
    year = 26 + offset // 3 + (1 if season == "Winter" else 0)
    return f"{season} '{year:02d}"


def default_versions(newest: str) -> list[str]:
    return [f"{v}.0" for v in range(OLDEST_SERVED, int(float(newest)) + 1)]


def versions_body(versions: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {"label": label(v), "url": f"/services/data/v{v}", "version": v}
        for v in sorted(versions, key=float)
    ]


def versions_response(versions: Sequence[str], request: Request) -> Response:
    return Response(200, versions_body(versions))
