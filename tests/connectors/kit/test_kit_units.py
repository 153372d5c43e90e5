"""The kit's pure parts: the retry policy, the budget meter, the pacing buckets, the
stream driver and the batcher, on injected clocks and sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from connectors.base import (
    BudgetExhausted,
    ContactUpdate,
    FatalError,
    Page,
    RateLimited,
    Update,
    WriteOutcome,
)
from connectors.kit.batcher import Batcher, BatchRefused, BatchRules
from connectors.kit.budget import BudgetMeter
from connectors.kit.pacing import Pacer, TokenBucket
from connectors.kit.retry import Failure, Kind, RetryPolicy
from connectors.kit.stream import drive, open_cursor
from tests.kit.clock import ManualClock


class Flaky(Exception):
    def __init__(self, kind: Kind, after: float | None = None) -> None:
        super().__init__(kind.value)
        self.failure = Failure(kind, after)


def _classify(exc: BaseException) -> Failure | None:
    return exc.failure if isinstance(exc, Flaky) else None


def _failing(errors: list[Exception]) -> Any:
    def fn() -> str:
        if errors:
            raise errors.pop(0)
        return "done"

    return fn


def test_retry_transient_failures_back_off_with_jitter_and_stop() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(
        _classify, sleep=sleeps.append, max_attempts=4, backoff_initial_s=1.0, backoff_max_s=8.0
    )
    assert policy.call(_failing([Flaky(Kind.TRANSIENT)] * 3)) == "done"
    assert len(sleeps) == 3 and all(0 <= s <= 8.0 for s in sleeps)
    sleeps.clear()
    with pytest.raises(Flaky):
        policy.call(_failing([Flaky(Kind.TRANSIENT)] * 10))
    assert len(sleeps) == 3  # four attempts in all


def test_retry_rate_limit_waits_honour_retry_after_capped_and_do_not_count() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(
        _classify,
        sleep=sleeps.append,
        max_attempts=2,
        max_rate_limit_waits=5,
        retry_after_cap_s=10.0,
    )
    errors: list[Exception] = [
        Flaky(Kind.RATE_LIMITED, 3.0),
        Flaky(Kind.RATE_LIMITED, 500.0),
        Flaky(Kind.TRANSIENT),
        Flaky(Kind.RATE_LIMITED, 1.0),
    ]
    assert policy.call(_failing(errors)) == "done"  # 1 transient < 2 attempts
    assert sleeps[:2] == [3.0, 10.0] and sleeps[3] == 1.0
    with pytest.raises(Flaky):  # rate-limit waits are bounded too: the policy always stops
        policy.call(_failing([Flaky(Kind.RATE_LIMITED, 0.0)] * 10))


def test_retry_other_errors_are_raised_at_once() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(_classify, sleep=sleeps.append)
    with pytest.raises(ValueError):
        policy.call(_failing([ValueError("bug")]))
    assert sleeps == []


def test_budget_meter_uses_reports_when_sent_and_its_own_count_otherwise() -> None:
    meter = BudgetMeter(1000, 0.5)
    for _ in range(10):
        meter.count("search")  # e.g. HubSpot's search answers carry no daily headers
    usage = meter.snapshot()
    assert (usage.budget_remaining, usage.calls_left, usage.stop) == (990, 490, False)
    meter.report(1000, 600)
    meter.count("read")
    usage = meter.snapshot()
    assert (usage.budget_remaining, usage.calls_left, usage.stop) == (599, 99, False)
    meter.report(1000, 500)
    assert meter.stop is True
    with pytest.raises(BudgetExhausted, match="writes"):
        meter.require("writes")


def test_budget_meter_without_a_known_limit_stops_only_when_told() -> None:
    meter = BudgetMeter(None, 0.8)
    meter.count("read")
    assert meter.snapshot().calls == {"read": 1} and not meter.stop
    meter.exhausted()
    assert meter.stop


def test_budget_meter_counts_answers_by_status_and_derives_429s() -> None:
    class SessionCounts:  # a session that counts its own calls
        def __init__(self) -> None:
            self.calls = {"read": 4}

    for meter in (BudgetMeter(None, 1.0), BudgetMeter(100, 0.5, counts=SessionCounts())):
        assert meter.snapshot().responses == {} and meter.snapshot().http_429 == 0
        for status in (200, 200, 429, 500, 200, 404, 429):
            meter.answered(status)
        usage = meter.snapshot()
        assert usage.responses == {200: 3, 429: 2, 500: 1, 404: 1}
        assert usage.http_429 == 2
        meter.answered(200)
        assert usage.responses[200] == 3  # a snapshot does not move
        assert meter.snapshot().responses[200] == 4


def test_token_bucket_paces_on_the_injected_clock() -> None:
    clock = ManualClock()
    bucket = TokenBucket(10, 1.0, clock=clock, sleep=clock.sleep)
    for _ in range(25):
        bucket.acquire()
    assert 1.4 < sum(clock.sleeps) < 1.6  # 10 at once, then 10 per second


def test_token_bucket_keeps_a_reserve_of_the_burst_but_refills_at_the_full_rate() -> None:
    now = [1_800_000_000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(10, 1.0, clock=lambda: now[0], sleep=sleep, reserve=2)
    for _ in range(8):
        bucket.acquire()
    assert waits == []  # 8 at once: the burst less the reserve
    for _ in range(10):
        bucket.acquire()
    assert 0.99 < sum(waits) < 1.01


def test_pacer_routes_kinds_to_their_buckets() -> None:
    clock = ManualClock()
    burst = TokenBucket(100, 10.0, clock=clock, sleep=clock.sleep)
    search = TokenBucket(2, 1.0, clock=clock, sleep=clock.sleep)
    pacer = Pacer(burst, {"search": search, "auth": None})
    for _ in range(4):
        pacer.acquire("search")
    assert 0.9 < sum(clock.sleeps) < 1.1
    clock.sleeps.clear()
    for _ in range(50):
        pacer.acquire("auth")
        pacer.acquire("read")
    assert clock.sleeps == []


def _stage(pages: int) -> Any:
    def run(pos: Any) -> Iterator[tuple[Page, Any]]:
        for n in range(pos or 0, pages):
            yield Page(), n + 1

    return run


def test_stream_driver_stamps_versioned_cursors_and_resumes() -> None:
    meter = BudgetMeter(None, 1.0)
    pages = list(
        drive(
            [_stage(2), _stage(1)],
            version=3,
            meter=meter,
            cursor_of=lambda i, pos: {"stage": i, "pos": pos},
            final={"done": 1},
        )
    )
    assert [p.cursor for p in pages] == [
        {"v": 3, "stage": 0, "pos": 1},
        {"v": 3, "stage": 0, "pos": 2},
        {"v": 3, "stage": 1, "pos": 1},
        {"v": 3, "done": 1},
    ]
    resumed = list(
        drive(
            [_stage(2), _stage(1)],
            version=3,
            meter=meter,
            start_stage=0,
            start_position=1,
            cursor_of=lambda i, pos: {"stage": i, "pos": pos},
        )
    )
    assert [p.cursor for p in resumed] == [
        {"v": 3, "stage": 0, "pos": 2},
        {"v": 3, "stage": 1, "pos": 1},
    ]
    assert open_cursor({"v": 3, "a": 1}, 3, "X") == {"a": 1}
    with pytest.raises(FatalError, match="full resync"):
        open_cursor({"v": 2}, 3, "X")


def test_stream_driver_raises_budget_exhausted_after_the_page_that_spent_it() -> None:
    meter = BudgetMeter(10, 1.0)
    got: list[Page] = []
    with pytest.raises(BudgetExhausted):
        for page in drive(
            [_stage(5)], version=1, meter=meter, cursor_of=lambda i, pos: {"pos": pos}
        ):
            got.append(page)
            for _ in range(5):
                meter.count("read")
    assert [p.cursor for p in got] == [{"v": 1, "pos": 1}, {"v": 1, "pos": 2}]


def _update(i: int, kind: str = "contact") -> ContactUpdate:
    from datetime import UTC, datetime

    return ContactUpdate(str(i), kind, i, "mql", "", False, datetime(2026, 12, 1, tzinfo=UTC))


def _batcher(send: Any, *, meter: BudgetMeter | None = None, **rules: Any) -> Batcher[Update]:
    return Batcher(
        BatchRules(**{"size": 3, **rules}),
        prepare=lambda u: u,
        ident=lambda u: u.id,
        send=send,
        meter=meter or BudgetMeter(None, 1.0),
        **({"executor": rules.pop("executor")} if "executor" in rules else {}),
    )


def test_batcher_batches_in_order_and_splits_a_refused_batch() -> None:
    sent: list[list[str]] = []

    def send(batch: list[Update]) -> list[WriteOutcome]:
        sent.append([u.id for u in batch])
        if any(u.id == "4" for u in batch) and len(batch) > 1:
            raise BatchRefused("one bad value")
        if [u.id for u in batch] == ["4"]:
            raise BatchRefused("bad value", "VALIDATION_ERROR")
        return [WriteOutcome(u.id, "ok") for u in batch]

    out = list(_batcher(send).run(_update(i) for i in range(7)))
    assert [len(b) for b in out] == [3, 3, 1]
    flat = [o for b in out for o in b]
    assert [o.id for o in flat] == [str(i) for i in range(7)]
    assert flat[4].status == "rejected" and flat[4].code == "VALIDATION_ERROR"
    assert sent[:2] == [["0", "1", "2"], ["3", "4", "5"]]


def test_batcher_groups_keys_and_concurrency_keep_the_stream_order() -> None:
    updates = [_update(1), _update(2, "lead"), _update(3, "lead"), _update(3, "lead")]

    def send(batch: list[Update]) -> list[WriteOutcome]:
        return [WriteOutcome(u.id, "ok", reason=str(len(batch))) for u in batch]

    with ThreadPoolExecutor(4) as pool:
        batcher: Batcher[Update] = Batcher(
            BatchRules(
                size=10, group=lambda u: getattr(u, "kind", ""), key=lambda u: u.id, concurrency=4
            ),
            prepare=lambda u: u,
            ident=lambda u: u.id,
            send=send,
            meter=BudgetMeter(None, 1.0),
            executor=pool,
        )
        flat = [o for b in batcher.run(updates) for o in b]
    assert [o.id for o in flat] == ["1", "2", "3", "3"]
    assert [o.reason for o in flat] == ["1", "2", "2", "1"]


def test_batcher_switches_to_bulk_above_the_threshold_and_keeps_the_order() -> None:
    jobs: list[list[str]] = []

    def bulk(items: list[Update]) -> list[WriteOutcome]:
        jobs.append([u.id for u in items])
        return [WriteOutcome(u.id, "ok") for u in items]

    batches: list[list[str]] = []

    def send(batch: list[Update]) -> list[WriteOutcome]:
        batches.append([u.id for u in batch])
        return [WriteOutcome(u.id, "ok") for u in batch]

    updates = [_update(i, "lead" if i % 2 else "contact") for i in range(6)]
    batcher: Batcher[Update] = Batcher(
        BatchRules(size=2, bulk_threshold=4, bulk_group=lambda u: getattr(u, "kind", "")),
        prepare=lambda u: u,
        ident=lambda u: u.id,
        send=send,
        bulk=bulk,
        meter=BudgetMeter(None, 1.0),
    )
    flat = [o for b in batcher.run(updates) for o in b]
    assert [o.id for o in flat] == [str(i) for i in range(6)]
    assert jobs == [["0", "2", "4"], ["1", "3", "5"]] and batches == []
    small = [o for b in batcher.run(updates[:4]) for o in b]  # at the threshold: batches
    assert [o.id for o in small] == ["0", "1", "2", "3"]
    assert batches == [["0", "1"], ["2", "3"]] and len(jobs) == 2


def test_batcher_budget_stop_answers_what_it_took_and_raises() -> None:
    meter = BudgetMeter(2, 1.0)
    taken: list[str] = []

    def stream() -> Iterator[Update]:
        for i in range(20):
            taken.append(str(i))
            yield _update(i)

    def send(batch: list[Update]) -> list[WriteOutcome]:
        meter.count("write")
        return [WriteOutcome(u.id, "ok") for u in batch]

    out: list[WriteOutcome] = []
    with pytest.raises(BudgetExhausted):
        for batch in _batcher(send, meter=meter).run(stream()):
            out.extend(batch)
    assert [o.status for o in out[:6]] == ["ok"] * 6
    assert all(o.rate_limited for o in out[6:]) and len(out) == len(taken) < 20


def test_batcher_rate_limited_batch_ends_the_taking_and_hook_runs_per_batch() -> None:
    calls = {"hook": 0}

    def send(batch: list[Update]) -> list[WriteOutcome]:
        raise RateLimited("429 after the policy's waits")

    def hook() -> None:
        calls["hook"] += 1

    out = [o for b in _batcher(send).run((_update(i) for i in range(9)), hook) for o in b]
    # the batch sent, and the one update read ahead to close it: all answered rate-limited
    assert calls["hook"] == 1 and len(out) == 4 and all(o.rate_limited for o in out)


def test_bulk_jobs_do_not_hold_outcomes_behind_a_rare_groups_first_update() -> None:
    """One lead ahead of many contacts: its partly filled job goes once more than a job's
    worth of outcomes wait behind it, so outcomes are released as jobs finish, not all
    at the end of the stream."""
    jobs: list[list[str]] = []

    def bulk(items: list[Update]) -> list[WriteOutcome]:
        jobs.append([u.id for u in items])
        return [WriteOutcome(u.id, "ok") for u in items]

    updates = [_update(0, "lead"), *(_update(i, "contact") for i in range(1, 26))]
    batcher: Batcher[Update] = Batcher(
        BatchRules(
            size=2,
            bulk_threshold=4,
            bulk_group=lambda u: getattr(u, "kind", ""),
            bulk_job_max=10,
        ),
        prepare=lambda u: u,
        ident=lambda u: u.id,
        send=lambda batch: [WriteOutcome(u.id, "ok") for u in batch],
        bulk=bulk,
        meter=BudgetMeter(None, 1.0),
    )
    released = [[o.id for o in b] for b in batcher.run(updates)]
    assert [i for b in released for i in b] == [str(i) for i in range(26)]
    assert jobs == [
        [str(i) for i in range(1, 11)],
        ["0"],
        [str(i) for i in range(11, 21)],
        [str(i) for i in range(21, 26)],
    ]
    # released as the jobs finish: never more than a job's worth waiting
    assert [len(b) for b in released] == [11, 10, 5]


def test_ordered_outcomes_keep_only_the_ids_still_in_flight() -> None:
    """The batcher's outcome slots hold the ids of updates taken and not yet released,
    not every id of the stream (200,000 writes would otherwise keep 200,000 ids)."""
    from connectors.kit.batcher import _Ordered

    order = _Ordered()
    held = []
    for n in range(1000):
        index = order.take(str(n))
        assert index == n
        order.fill(index, WriteOutcome(str(n), "ok"))
        held.append(len(order.ids))
        if n % 10 == 9:
            assert [o.id for o in order.release()] == [str(i) for i in range(n - 9, n + 1)]
    assert max(held) == 10 and len(order.ids) == 0
    late = order.take("late")
    order.fill_missing("budget")
    assert late == 1000 and [(o.id, o.status) for o in order.release()] == [("late", "retriable")]
