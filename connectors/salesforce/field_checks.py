"""Passed field checks kept between the connectors one process builds.

The engine builds a connector per cycle and every cycle starts with
``ensure_fields``; describing Lead, Contact and Account each time costs three
API calls a cycle for an answer that changes only when an admin edits the org.
A check that passed is kept here by connector identity (name, org, user and every
option that shapes the check or the reads) and reused by ``ensure_fields(create=False)``.
It is forgotten when a query or a write fails on a field (``INVALID_FIELD``), so
the next cycle describes again and reports what is missing. A failed check is
never kept: the operator's fix is seen on the next cycle.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from connectors.base import FieldsReport
from connectors.salesforce.config import SalesforceOptions

#: Error code of a query or write that names a field the org does not have.
INVALID_FIELD = "INVALID_FIELD"


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """A passed check: its report, the readable fields (lower-cased) by object,
    and the tier names the tier picklist was checked for."""

    report: FieldsReport
    readable: Mapping[str, frozenset[str]]
    tiers: tuple[str, ...] = ()


def check_key(name: str, options: SalesforceOptions) -> str:
    """Identity of a connector's field check: its name, the org, the API user and
    every non-secret option (a settings reload that changes any of them misses)."""
    auth = options.auth
    user = f"{auth.flow}:{auth.consumer_key}:{getattr(auth, 'username', '')}"
    return f"{name}\n{user}\n{options.model_dump_json(exclude={'auth'})}"


class FieldChecks:
    """Thread-safe store of passed field checks by ``check_key``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checks: dict[str, FieldCheck] = {}

    def get(self, key: str) -> FieldCheck | None:
        with self._lock:
            return self._checks.get(key)

    def keep(self, key: str, check: FieldCheck) -> None:
        with self._lock:
            self._checks[key] = check

    def forget(self, key: str) -> None:
        with self._lock:
            self._checks.pop(key, None)


#: The process's store, used by ``build`` unless a caller passes its own.
PROCESS_FIELD_CHECKS = FieldChecks()
