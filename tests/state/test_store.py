"""The state store on its own, on SQLite and PostgreSQL: pages, merges, locks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.base import AccountRecord, ActivityRecord, ContactRecord, Page, WrittenValues
from syncd.state import LockBusy, Store

NOW = datetime(2026, 11, 23, tzinfo=UTC)
C = "c1"


def _page(**kw: Any) -> Page:
    return Page(**kw)


@pytest.fixture
def store(state_url: str) -> Iterator[Store]:
    s = Store.open(state_url)
    yield s
    s.close()


def _contact(cid: str, **data: object) -> ContactRecord:
    return ContactRecord(
        id=cid,
        kind="contact",
        data={"id": cid, **data},
        account_id="A1",
        crm_values=WrittenValues(score=1, tier="x", reasons="r", priority=False),
    )


def test_rereading_identical_records_marks_nothing(store: Store) -> None:
    page = _page(
        contacts=[_contact("1", email="a@acme.io"), _contact("2")],
        accounts=[AccountRecord("A1", {"name": "Acme", "domain": "acme.io"})],
        activities=[
            ActivityRecord("k1", "1", {"type": "email_open", "at": "2026-11-20T10:00:00Z"})
        ],
        cursor={"t": 1},
    )
    stats = store.commit_page(C, page, NOW)
    assert (stats.contacts, stats.changed_contacts, stats.new_activities) == (2, 2, 1)
    assert store.meta(C).cursor == {"t": 1}
    store.save_scores(C, [], ["1", "2"], "run", NOW)
    assert store.counts(C).dirty == 0
    again = store.commit_page(C, page, NOW)
    assert (again.changed_contacts, again.new_activities, again.accounts) == (0, 0, 0)
    assert store.counts(C).dirty == 0
    # a changed account marks its contacts
    store.commit_page(C, _page(accounts=[AccountRecord("A1", {"name": "Acme Corp"})]), NOW)
    assert store.counts(C).dirty == 2
    sc = store.contact(C, "1")
    assert sc is not None and sc.json["account"]["name"] == "Acme Corp"
    assert sc.json["activities"] == [{"type": "email_open", "at": "2026-11-20T10:00:00Z"}]


def test_merge_moves_activities_to_the_survivor(store: Store) -> None:
    store.commit_page(
        C,
        _page(
            contacts=[_contact("L"), _contact("S")],
            activities=[
                ActivityRecord("k1", "L", {"type": "call", "at": "2026-11-20T10:00:00Z"}),
                ActivityRecord("k2", "S", {"type": "chat", "at": "2026-11-21T10:00:00Z"}),
            ],
        ),
        NOW,
    )
    store.commit_page(C, _page(merged={"L": "S"}), NOW)
    assert store.contact(C, "L") is None
    s = store.contact(C, "S")
    assert s is not None and sorted(a["type"] for a in s.json["activities"]) == ["call", "chat"]


def test_lock_is_exclusive_and_released(store: Store) -> None:
    clock = lambda: NOW  # noqa: E731
    with store.lock(C, "me:1", clock):
        with pytest.raises(LockBusy), store.lock(C, "other:2", clock):
            pass
        with store.lock("another-connector", "other:2", clock):
            pass
    with store.lock(C, "other:2", clock):
        pass


# leases are SQLite's lock; PostgreSQL's advisory lock dies with its session
@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
def test_expired_sqlite_lease_is_taken_over(state_url: str) -> None:
    s = Store.open(state_url, lease=timedelta(seconds=30))
    try:
        from syncd.state.lock import _try_lease

        assert _try_lease(s.engine, C, "elsewhere:1", NOW, s.lease)  # a holder that vanished
        with pytest.raises(LockBusy), s.lock(C, "me:2", lambda: NOW):
            pass
        with s.lock(C, "me:2", lambda: NOW + timedelta(seconds=31)):
            pass
    finally:
        s.close()


def test_a_record_repeated_in_one_page_is_stored_once(store: Store) -> None:
    first, second = _contact("1", email="old@acme.io"), _contact("1", email="new@acme.io")
    stats = store.commit_page(C, _page(contacts=[first, second, _contact("2")]), NOW)
    assert stats.contacts == 2
    sc = store.contact(C, "1")
    assert sc is not None and sc.json["email"] == "new@acme.io"
