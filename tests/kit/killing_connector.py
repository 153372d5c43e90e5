"""A wrapper around any connector that SIGKILLs its own process at a chosen
step, for crash tests against the real connectors and the sandboxes.

``kill_at``: ``page:N`` (before yielding the N-th page), ``write-before:N``
(before the N-th write batch reaches the CRM) or ``write-after:N`` (after
the CRM answered the N-th write batch, before the engine records it).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from connectors.base import (
    JSON,
    BeforeBatch,
    CheckItem,
    Connector,
    FieldsReport,
    Page,
    Update,
    Usage,
    WriteOutcome,
)


class KillingConnector(Connector):
    def __init__(self, inner: Connector, kill_at: str | None) -> None:
        self.inner = inner
        self.kill_at = kill_at
        self.name = inner.name
        self.auto_create_fields = inner.auto_create_fields
        self.pages = 0
        self.writes = 0
        self.sending = 0

    def _maybe_kill(self, step: str, n: int) -> None:
        if self.kill_at == f"{step}:{n}":
            os.kill(os.getpid(), signal.SIGKILL)

    def check(self) -> list[CheckItem]:
        return self.inner.check()

    def ensure_fields(self, create: bool, tiers: Sequence[str] = ()) -> FieldsReport:
        return self.inner.ensure_fields(create, tiers)

    def changes(
        self,
        cursor: JSON | None,
        until: datetime,
        *,
        full: bool = False,
        since: datetime | None = None,
    ) -> Iterator[Page]:
        for page in self.inner.changes(cursor, until, full=full, since=since):
            self.pages += 1
            self._maybe_kill("page", self.pages)
            yield page

    def write(
        self, updates: Iterable[Update], *, before_batch: BeforeBatch | None = None
    ) -> Iterator[Sequence[WriteOutcome]]:
        def hook() -> None:
            if before_batch is not None:
                before_batch()
            self.sending += 1
            self._maybe_kill("write-before", self.sending)

        for outcomes in self.inner.write(updates, before_batch=hook):
            self.writes += 1
            self._maybe_kill("write-after", self.writes)
            yield outcomes

    def usage(self) -> Usage:
        return self.inner.usage()

    def close(self) -> None:
        self.inner.close()
