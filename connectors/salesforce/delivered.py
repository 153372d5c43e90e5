"""What earlier reads delivered within the lookback, so a re-read of the lookback
window passes on only what is new.

The lookback re-reads ``SystemModstamp >= cursor - lookback`` every cycle because
Salesforce stamps a change when its transaction makes it, not when it commits:
a transaction that runs long commits rows stamped before the previous read's end
that the previous read could not see. ``getUpdated``'s ``latestDateCovered``
exists for exactly this ("for safety, you should use this value for the
startDate of your next call to capture the changes that started after this date
but did not complete before the endDate", SOAP API Developer Guide,
GetUpdatedResult), and an Apex transaction may run for up to 10 minutes
("Execution Governors and Limits", Apex Developer Guide), so the window stays
(``lookback``, 15 minutes by default).

Most rows in that window were delivered by the read before, unchanged: sending
them again costs the engine a commit and the cycle report a "pulled" count for
nothing. This memory keeps, per stream and record Id, the stamp and a digest of
every field of each row delivered whose stamp the next lookback can reach, and
a re-read row identical to it (same Id, same stamp, same field values) is
dropped. Only an identical row is dropped, so a late commit stamped in the same
second as a row already read, or any other change, is still delivered. A row
counts as delivered only once the engine asked for the next page (it commits a
page before asking for the next), so a page whose commit failed is read again
in full. The memory lives as long as the connector (the engine keeps one per
connector across cycles, as the daemon does); a new process starts empty and
re-delivers its first lookback window, which the engine applies idempotently.
It is bounded by ``MAX_ROWS``; beyond it rows are not remembered (and are
re-delivered), never dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MAX_ROWS", "Delivered", "digest"]

#: Rows remembered per connector (about 200 bytes each).
MAX_ROWS = 50_000

Row = Mapping[str, Any]


def digest(row: Row) -> bytes:
    """A digest of every field of ``row`` (order-independent)."""
    text = json.dumps(row, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class Delivered:
    """Per stream: record Id -> (stamp, digest) of the row last delivered."""

    def __init__(self, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows
        self._streams: dict[str, dict[str, tuple[dt.datetime, bytes]]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return sum(len(rows) for rows in self._streams.values())

    def prune(self, stream: str, before: dt.datetime) -> None:
        """Forget the rows of ``stream`` stamped before ``before`` (no read from
        ``before`` on can return them unchanged)."""
        with self._lock:
            rows = self._streams.get(stream)
            if rows:
                self._streams[stream] = {k: v for k, v in rows.items() if v[0] >= before}

    def clear(self, stream: str) -> None:
        with self._lock:
            self._streams.pop(stream, None)

    def is_known(self, stream: str, record_id: str, stamp: dt.datetime, row: Row) -> bool:
        """Whether exactly this row (Id, stamp and every field) was delivered."""
        with self._lock:
            kept = self._streams.get(stream, {}).get(record_id)
        return kept is not None and kept[0] == stamp and kept[1] == digest(row)

    def remember(
        self, stream: str, rows: Iterable[tuple[str, dt.datetime, Row]], since: dt.datetime
    ) -> None:
        """Keep the delivered ``rows`` stamped at or after ``since``."""
        with self._lock:
            kept = self._streams.setdefault(stream, {})
            total = sum(len(r) for r in self._streams.values())
            for record_id, stamp, row in rows:
                if stamp < since:
                    continue
                if record_id not in kept:
                    if total >= self.max_rows:
                        continue
                    total += 1
                kept[record_id] = (stamp, digest(row))
