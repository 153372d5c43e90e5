"""The REST API version syncd speaks, Salesforce's published retirement schedule,
and the ``syncd check`` item that compares them with what the org serves.

The pinned version is ``limits.API_VERSION`` (one place; the sandbox fake serves
it too). Salesforce supports each version for at least three years and
announces a retirement at least a year ahead: versions 7.0-20.0 were retired in
Summer '22 and 21.0-30.0 in Summer '25 (REST answers 410 GONE); 31.0-40.0 are
deprecated in Summer '27 and retired in Summer '28 ("Salesforce Platform API
Versions 31.0 through 40.0 Retirement", Salesforce Help, April 2026). Release
dates below are the first day of the release month; Salesforce rolls a release
out over a few weeks, so they are early by design.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from connectors.base import CheckItem
from connectors.salesforce.limits import API_VERSION

if TYPE_CHECKING:
    from connectors.salesforce.client import SalesforceClient

#: How long before a version's retirement ``syncd check`` starts warning.
WARN_BEFORE = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Retirement:
    """Versions ``first``..``last`` (major numbers) stop working with ``release``."""

    first: int
    last: int
    release: str
    on: date


#: Salesforce's published schedule (announced retirements only).
SCHEDULE: tuple[Retirement, ...] = (
    Retirement(7, 20, "Summer '22", date(2022, 6, 1)),
    Retirement(21, 30, "Summer '25", date(2025, 6, 1)),
    Retirement(31, 40, "Summer '28", date(2028, 6, 1)),
)


def release_name(version: str) -> str:
    """The release that introduced ``version`` ("66.0" -> "Spring '26")."""
    major = int(float(version))
    offset = major - 66  # 66.0 is Spring '26; three releases a year
    season = ("Spring", "Summer", "Winter")[offset % 3]
    year = 26 + offset // 3 + (1 if season == "Winter" else 0)
    return f"{season} '{year:02d}"


def retirement_of(version: str) -> Retirement | None:
    """The announced retirement covering ``version``, if any."""
    major = int(float(version))
    return next((r for r in SCHEDULE if r.first <= major <= r.last), None)


def served_versions(body: Any) -> list[str]:
    """The ``version`` values of a ``GET /services/data/`` answer."""
    if not isinstance(body, list):
        return []
    return [str(item["version"]) for item in body if isinstance(item, dict) and "version" in item]


def version_item(served: list[str], today: date, version: str = API_VERSION) -> CheckItem:
    """``syncd check``'s "api version" line: fail when the org does not serve
    ``version``, warn when its announced retirement is within ``WARN_BEFORE``."""
    name = "api version"
    if version not in served:
        newest = max(served, key=float, default="none")
        return CheckItem(
            name,
            False,
            f"the org does not serve REST API v{version} (it serves up to v{newest})",
            f"set api_version to a version the org lists at /services/data/ (v{newest}) "
            "or upgrade syncd",
        )
    retirement = retirement_of(version)
    if retirement is not None and retirement.on - today <= WARN_BEFORE:
        return CheckItem(
            name,
            True,
            f"v{version} ({release_name(version)}) is retired by Salesforce in "
            f"{retirement.release} ({retirement.on:%B %Y})",
            f"set api_version to {API_VERSION} or newer",
            warning=True,
        )
    return CheckItem(name, True, f"v{version} ({release_name(version)}) served by the org")


def fetch_served(session: requests.Session, instance_url: str, timeout_s: float) -> list[str]:
    """``GET {instance}/services/data/`` (no session needed): the versions served."""
    response = session.get(f"{instance_url.rstrip('/')}/services/data/", timeout=timeout_s)
    try:
        return served_versions(response.json()) if response.status_code == 200 else []
    except ValueError:
        return []


def check_item(client: SalesforceClient, version: str) -> CheckItem:
    """The "api version" item for a logged-in client's org."""
    instance = f"https://{client.sf.sf_instance}"
    try:
        served = fetch_served(client.session, instance, client.options.timeout_s)
    except requests.RequestException as exc:
        return CheckItem(
            "api version",
            False,
            f"GET {instance}/services/data/ failed ({type(exc).__name__})",
            "check instance_url",
        )
    today = datetime.fromtimestamp(client.clock(), UTC).date()
    return version_item(served, today, version)
