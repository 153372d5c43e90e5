"""API versions the fake serves: legacy numeric paths and dated ones, sunsets, validation rules.

Every route is registered under its legacy path (``/crm/v3/objects/...``) and under each
dated version's path (``/crm/objects/2026-09/...``); a handler asks ``is_dated`` when the
shapes differ. A legacy route can be marked past its sunset (``Sunsets``): it then
answers 410 with HubSpot's error body instead of serving the call.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from syncd.sandbox.http import Handler, Response, Router
from syncd.sandbox.hubspot import errors

#: The dated versions the fake serves besides the legacy paths.
DATED = ("2026-03", "2026-09")
_DATED_RE = re.compile(r"/(20\d\d-(?:03|09))(?:/|$)")
_LEGACY_RE = re.compile(r"/v[1-4](?:/|$)")


def is_dated(path: str) -> bool:
    return _DATED_RE.search(path) is not None


def is_legacy(template: str) -> bool:
    return _LEGACY_RE.search(template) is not None


def add(router: Router, method: str, legacy: str, dated: str, handler: Handler) -> None:
    """Register ``handler`` under the legacy template and under ``dated`` (with
    ``{version}``) for every dated version."""
    router.add(method, legacy, handler)
    for version in DATED:
        router.add(method, dated.replace("{version}", version), handler)


class Sunsets:
    """Which legacy route templates are past their sunset (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._all = False
        self._templates: set[str] = set()

    def mark(self, templates: Iterable[str] | None = None) -> None:
        """Mark ``templates`` (None: every legacy route) past their sunset."""
        with self._lock:
            if templates is None:
                self._all = True
            else:
                self._templates.update(templates)

    def clear(self) -> None:
        with self._lock:
            self._all = False
            self._templates.clear()

    def refusal(self, template: str) -> Response | None:
        """The answer of a route past its sunset, or None when it still serves."""
        if not is_legacy(template):
            return None
        with self._lock:
            gone = self._all or template in self._templates
        if not gone:
            return None
        message = (
            f"This API ({template}) has been sunset and is no longer available. "
            "Migrate to the date-versioned API."
        )
        return Response(410, errors.body(410, message, "GONE"))


@dataclass(frozen=True, slots=True)
class ValidationRule:
    """A portal admin's validation rule: values of ``property`` on ``object_type`` that
    ``allows`` refuses are rejected with ``message`` (writes on dated paths only, as
    HubSpot enforces them from ``/2026-09/`` on)."""

    object_type: str
    property: str
    allows: Callable[[str], bool]
    message: str


def rule_error(rule: ValidationRule, record_id: str) -> dict[str, object]:
    """The errors[] entry of a batch answer for one input a rule refused (modelled)."""
    entry = errors.batch_error(rule.message, "VALIDATION_ERROR", {"ids": [record_id]})
    entry["subCategory"] = "PROPERTY_VALIDATION_RULE"
    entry["id"] = record_id
    entry["errors"] = [{"message": rule.message, "in": rule.property, "code": "INVALID_VALUE"}]
    return entry
