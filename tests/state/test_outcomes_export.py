"""`Store.export` carries each contact's CRM outcomes (oldest first), and only where
there are any."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from connectors.base import ContactRecord, OutcomeRecord, Page
from syncd.state import Store

NOW = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture
def store(state_url: str) -> Iterator[Store]:
    s = Store.open(state_url)
    yield s
    s.close()


def test_export_includes_outcomes(store: Store) -> None:
    page = Page(
        contacts=[ContactRecord(id=i, kind="contact", data={"id": i}) for i in ("1", "2")],
        outcomes=[
            OutcomeRecord("1", "deal:9:won", "won", datetime(2026, 11, 2, tzinfo=UTC), 1200.0),
            OutcomeRecord(
                "1", "deal:9:opportunity", "opportunity", datetime(2026, 10, 1, tzinfo=UTC),
                1200.0, "qualifiedtobuy",
            ),
        ],
    )  # fmt: skip
    store.commit_page("hs", page, NOW)
    exported = {c["id"]: c for c in store.export("hs")}
    assert exported["1"]["outcomes"] == [
        {
            "kind": "opportunity",
            "at": "2026-10-01T00:00:00Z",
            "key": "deal:9:opportunity",
            "amount": 1200.0,
            "detail": "qualifiedtobuy",
        },
        {"kind": "won", "at": "2026-11-02T00:00:00Z", "key": "deal:9:won", "amount": 1200.0},
    ]
    assert "outcomes" not in exported["2"]
