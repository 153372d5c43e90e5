"""The lane driver: stages of several lanes read at once, every page's cursor holding
each lane's position, stops (budget, error, the engine closing the pull) ending every
lane's thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from connectors.base import JSON, BudgetExhausted, ContactRecord, FatalError, Page
from connectors.kit.lanes import Position, drive_lanes
from connectors.kit.stream import Stage


class Meter:
    """A guard that says stop once ``after`` pages were handed out (counted by the test)."""

    def __init__(self, after: int | None = None) -> None:
        self.after = after
        self.pages = 0

    @property
    def stop(self) -> bool:
        return self.after is not None and self.pages >= self.after


def _stage(name: str, n: int, calls: list[str] | None = None) -> Stage:
    """``n`` pages of one contact each, positions 1..n-1 then None (the stage's end)."""

    def pages(at: Any) -> Iterator[tuple[Page, Any]]:
        for k in range(int(at or 0), n):
            if calls is not None:
                calls.append(f"{name}{k}")
            yield (
                Page(contacts=[ContactRecord(f"{name}{k}", "contact", {})]),
                (k + 1 if k + 1 < n else None),
            )

    return pages


def _cursor(at: list[Position]) -> JSON:
    return {"lanes": [list(p) for p in at]}


def _drive(lanes: list[list[Stage]], meter: Meter, start: list[Position] | None = None) -> Any:
    return drive_lanes(
        lanes,
        version=1,
        cursor_of=_cursor,
        meter=meter,
        start=start or [(0, None)] * len(lanes),
        final={"since": 9},
    )


def _lane_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("pull-lane-")]


def test_every_page_of_every_lane_once_each_cursor_holding_both_positions() -> None:
    lanes = [[_stage("a", 3), _stage("b", 2)], [_stage("x", 2)]]
    pages = list(_drive(lanes, Meter()))
    ids = [c.id for p in pages for c in p.contacts]
    assert sorted(ids) == ["a0", "a1", "a2", "b0", "b1", "x0", "x1"]
    assert pages[-1].cursor == {"v": 1, "since": 9} and not pages[-1].contacts
    for page in pages[:-1]:
        (contact,) = page.contacts
        lanes_at = page.cursor["lanes"] if page.cursor else None
        assert isinstance(lanes_at, list) and len(lanes_at) == 2
        own = lanes_at[1] if contact.id.startswith("x") else lanes_at[0]
        k = int(contact.id[1:])
        stage = {"a": 0, "b": 1, "x": 0}[contact.id[0]]
        assert own == [stage, k + 1 if k + 1 < (3 if contact.id[0] == "a" else 2) else None]
    # a lane's own pages come in its order
    assert [i for i in ids if i[0] in "ab"] == ["a0", "a1", "a2", "b0", "b1"]
    assert _lane_threads() == []


def test_each_lane_resumes_at_its_own_stage_and_position() -> None:
    lanes = [[_stage("a", 3), _stage("b", 2)], [_stage("x", 3)]]
    pages = list(_drive(lanes, Meter(), start=[(1, 1), (0, 2)]))
    assert sorted(c.id for p in pages for c in p.contacts) == ["b1", "x2"]


def test_the_lanes_are_read_at_once() -> None:
    """Lane 0's first page waits until lane 1 has started reading: one after another,
    it would wait in vain."""
    started = threading.Event()

    def waits(at: Any) -> Iterator[tuple[Page, Any]]:
        assert started.wait(timeout=10), "lane 1 never ran while lane 0 was reading"
        yield Page(), None

    def signals(at: Any) -> Iterator[tuple[Page, Any]]:
        started.set()
        yield Page(), None

    assert len(list(_drive([[waits], [signals]], Meter()))) == 3


def test_a_lane_error_reaches_the_engine_and_ends_the_other_lane() -> None:
    calls: list[str] = []

    def broken(at: Any) -> Iterator[tuple[Page, Any]]:
        yield Page(), 1
        raise FatalError("refused")

    with pytest.raises(FatalError, match="refused"):
        list(_drive([[broken], [_stage("x", 1_000, calls)]], Meter()))
    assert _lane_threads() == []
    assert len(calls) < 1_000  # stopped, not read to its end


def test_the_budget_guard_stops_every_lane_after_the_page_in_hand() -> None:
    calls: list[str] = []
    meter = Meter(after=3)
    got: list[Page] = []
    with pytest.raises(BudgetExhausted):
        for page in _drive([[_stage("a", 50, calls)], [_stage("x", 50, calls)]], meter):
            got.append(page)
            meter.pages += 1
    assert len(got) == 3
    # each lane read at most the page it held and the one it was building
    assert len(calls) <= len(got) + 2 * 2
    assert _lane_threads() == []


def test_closing_the_pull_ends_the_lanes() -> None:
    calls: list[str] = []
    pull = _drive([[_stage("a", 1_000, calls)], [_stage("x", 1_000, calls)]], Meter())
    next(pull)
    pull.close()
    assert _lane_threads() == []
    assert len(calls) <= 1 + 2 * 2
