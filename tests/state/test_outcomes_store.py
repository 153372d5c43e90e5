"""CRM outcomes in the state store, on SQLite and PostgreSQL: upsert by
(contact, key), skipped when malformed, moved on a merge, gone with a delete."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import ContactRecord, OutcomeRecord, Page
from syncd.core.outcomes import Outcome
from syncd.state import Store

NOW = datetime(2026, 11, 23, tzinfo=UTC)
C = "c1"
T1 = datetime(2026, 10, 1, 9, tzinfo=UTC)
T2 = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture
def store(state_url: str) -> Iterator[Store]:
    s = Store.open(state_url)
    yield s
    s.close()


def _contact(cid: str) -> ContactRecord:
    return ContactRecord(id=cid, kind="contact", data={"id": cid})


def test_outcomes_are_upserted_by_contact_and_key(store: Store) -> None:
    first = Page(
        contacts=[_contact("1"), _contact("2")],
        outcomes=[
            OutcomeRecord("1", "deal:9:opportunity", "opportunity", T1, 1200.0, "qualified"),
            OutcomeRecord("1", "lifecycle:sql", "sql", T1 - timedelta(days=3)),
            OutcomeRecord("2", "deal:8:lost", "lost", T2),
        ],
    )
    assert store.commit_page(C, first, NOW).new_outcomes == 3
    again = Page(outcomes=[OutcomeRecord("1", "lifecycle:sql", "sql", T1 - timedelta(days=3))])
    assert store.commit_page(C, again, NOW).new_outcomes == 0
    moved = Page(outcomes=[OutcomeRecord("1", "deal:9:won", "won", T2, 1500.0, "closedwon")])
    assert store.commit_page(C, moved, NOW).new_outcomes == 1
    got = store.outcomes(C)
    assert [o.key for o in got["1"]] == ["lifecycle:sql", "deal:9:opportunity", "deal:9:won"]
    assert got["1"][2] == Outcome("won", T2, "deal:9:won", 1500.0, "closedwon")
    assert list(store.outcomes(C, ["2"])) == ["2"]
    assert store.outcomes("other") == {}


def test_malformed_outcomes_are_skipped_and_named(store: Store) -> None:
    page = Page(
        outcomes=[
            OutcomeRecord("1", "x:1", "booked", T1),
            OutcomeRecord("1", "x:2", "won", datetime(2026, 1, 1)),
            OutcomeRecord("1", "x:3", "won", T1),
        ]
    )
    stats = store.commit_page(C, page, NOW)
    assert (stats.new_outcomes, stats.skipped) == (1, 2)
    assert [s.reason for s in stats.skipped_records] == [
        "x:1: unknown kind 'booked'",
        "x:2: time without a zone",
    ]


def test_outcomes_follow_a_merge_and_leave_with_a_delete(store: Store) -> None:
    store.commit_page(
        C,
        Page(
            contacts=[_contact("1"), _contact("2"), _contact("3")],
            outcomes=[
                OutcomeRecord("1", "lead:1:sql", "sql", T1),
                OutcomeRecord("2", "deal:5:won", "won", T2),
                OutcomeRecord("2", "lead:1:sql", "sql", T2),
                OutcomeRecord("3", "deal:6:won", "won", T2),
            ],
        ),
        NOW,
    )
    store.commit_page(C, Page(merged={"2": "1"}, deleted_contacts=["3"]), NOW)
    got = store.outcomes(C)
    assert list(got) == ["1"]
    assert [(o.key, o.at) for o in got["1"]] == [("lead:1:sql", T1), ("deal:5:won", T2)]
