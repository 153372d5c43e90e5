"""``written(conn, updates)``: every outcome of one ``Connector.write`` stream, in order
(the contract yields them a CRM batch at a time)."""

from __future__ import annotations

from collections.abc import Iterable

from connectors.base import Connector, Update, WriteOutcome


def written(conn: Connector, updates: Iterable[Update]) -> list[WriteOutcome]:
    return [outcome for batch in conn.write(updates) for outcome in batch]
