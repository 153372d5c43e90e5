"""The batcher: turns the engine's ordered stream of updates into CRM batches and
hands the outcomes back in the stream's order, a batch at a time.

What it owns, for every connector:

* batch size, and which updates may share a batch (``group``: e.g. one object type a
  batch; ``key``: e.g. no id twice in one batch);
* splitting a batch the CRM refused as a whole (``BatchRefused``, e.g. one invalid
  value failing a 400 for all): halves are sent until the bad updates are isolated,
  so the valid ones are still written;
* ordered per-record outcomes: updates the connector can decide without the CRM
  (``prepare`` answers a ``WriteOutcome``), batches answered out of order (concurrent
  batches, bulk jobs by object type) are all released in the stream's order;
* the switch: above ``bulk_threshold`` pending updates the stream goes to ``bulk``
  (e.g. Salesforce Bulk API 2.0 jobs, one group's job sent as soon as it holds
  ``bulk_job_max`` updates, a partly filled one early when more than ``bulk_job_max``
  outcomes wait behind its oldest update); otherwise batches
  run ``concurrency`` at a time on the connector's executor (e.g. HubSpot within its
  pacing);
* the budget: the meter is asked before each batch; when it says stop the batcher
  takes no more updates, answers the ones it took ``retriable``/``rate_limited`` and
  raises ``BudgetExhausted`` after the last outcomes. A batch answered rate-limited
  (the retry policy gave up on 429s) also ends the taking, without the raise.

``before_batch`` (the engine's hook) is called in the caller's thread right before
each batch or bulk job is handed to the CRM.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Generic, TypeVar

from connectors.base import (
    BeforeBatch,
    BudgetExhausted,
    RateLimited,
    RetriableError,
    Update,
    WriteOutcome,
)
from connectors.kit.budget import Guard

__all__ = ["BatchRefused", "BatchRules", "Batcher"]

T = TypeVar("T")
Indexed = tuple[int, T]


class BatchRefused(Exception):
    """Raised by a connector's ``send`` when the CRM refused the whole batch for its
    content (not for auth or rate reasons): the batcher splits it."""

    def __init__(self, reason: str, code: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True, slots=True)
class BatchRules(Generic[T]):
    """How a connector's updates become batches."""

    size: int
    #: Updates of different groups never share a batch (None: any mix).
    group: Callable[[T], Hashable] | None = None
    #: No batch holds one key twice (None: no such rule).
    key: Callable[[T], Hashable] | None = None
    #: Batches in flight at once (on the connector's executor when > 1).
    concurrency: int = 1
    #: More pending updates than this go to ``bulk`` (None: never).
    bulk_threshold: int | None = None
    #: Updates of different bulk groups never share a bulk job (None: ``group``).
    bulk_group: Callable[[T], Hashable] | None = None
    #: Updates per bulk job at most.
    bulk_job_max: int = 100_000


def _retry(rid: str, reason: str, *, limited: bool = False) -> WriteOutcome:
    return WriteOutcome(rid, "retriable", reason, rate_limited=limited)


class _Ordered:
    """Outcome slots by stream position; releases the longest filled prefix. Only
    the ids of updates taken and not yet released are kept (memory follows what is
    in flight, not the stream's length)."""

    def __init__(self) -> None:
        self.slots: dict[int, WriteOutcome] = {}
        self.ids: deque[str] = deque()  # of positions released .. taken - 1
        self.released = 0

    def take(self, rid: str) -> int:
        self.ids.append(rid)
        return self.released + len(self.ids) - 1

    def fill(self, index: int, outcome: WriteOutcome) -> None:
        self.slots[index] = outcome

    def release(self) -> list[WriteOutcome]:
        out = []
        while self.released in self.slots:
            out.append(self.slots.pop(self.released))
            self.ids.popleft()
            self.released += 1
        return out

    def fill_missing(self, reason: str) -> None:
        for offset, rid in enumerate(self.ids):
            index = self.released + offset
            if index not in self.slots:
                self.slots[index] = _retry(rid, reason, limited=True)


def _finish(order: _Ordered, budget_stop: bool) -> Iterator[list[WriteOutcome]]:
    """Answer every update taken but not sent, release them, and raise
    ``BudgetExhausted`` when the budget guard ended the stream."""
    order.fill_missing(
        "budget guard: the API allowance share is spent"
        if budget_stop
        else "not sent: the CRM rate-limited this cycle's writes"
    )
    released = order.release()
    if released:
        yield released
    if budget_stop:
        raise BudgetExhausted(
            "budget guard: the API allowance share is spent; the "
            "remaining writes wait for the next cycle"
        )


class Batcher(Generic[T]):
    """Writes one stream of updates; see the module docstring."""

    def __init__(
        self,
        rules: BatchRules[T],
        *,
        prepare: Callable[[Update], T | WriteOutcome],
        ident: Callable[[T], str],
        send: Callable[[list[T]], Sequence[WriteOutcome]],
        meter: Guard,
        bulk: Callable[[list[T]], Sequence[WriteOutcome]] | None = None,
        executor: Executor | None = None,
    ) -> None:
        if rules.size < 1 or rules.concurrency < 1:
            raise ValueError("batch size and concurrency must be >= 1")
        if rules.concurrency > 1 and executor is None:
            raise ValueError("concurrent batches need an executor")
        self.rules = rules
        self.prepare = prepare
        self.ident = ident
        self.send = send
        self.meter = meter
        self.bulk = bulk
        self.executor = executor

    # -- the stream ----------------------------------------------------------------------
    def run(
        self, updates: Iterable[Update], before_batch: BeforeBatch | None = None
    ) -> Iterator[list[WriteOutcome]]:
        """Outcome lists, one per batch (or bulk job), in the stream's order."""
        gate = before_batch or (lambda: None)
        if self.meter.stop:  # spent before the first batch: take nothing
            raise BudgetExhausted(
                "budget guard: the API allowance share is spent; the writes wait for the next cycle"
            )
        order = _Ordered()
        source = self._prepared(iter(updates), order)
        threshold = self.rules.bulk_threshold
        if threshold is not None and self.bulk is not None:
            ahead = list(itertools.islice(source, threshold + 1))
            if len(ahead) > threshold:
                yield from self._bulk(itertools.chain(ahead, source), order, gate)
                return
            source = iter(ahead)
        yield from self._batches(source, order, gate)

    def _prepared(self, updates: Iterator[Update], order: _Ordered) -> Iterator[Indexed[T]]:
        for update in updates:
            index = order.take(update.id)
            item = self.prepare(update)
            if isinstance(item, WriteOutcome):
                order.fill(index, item)
            else:
                yield index, item

    def _chunks(self, source: Iterator[Indexed[T]]) -> Iterator[list[Indexed[T]]]:
        rules = self.rules
        batch: list[Indexed[T]] = []
        keys: set[Hashable] = set()
        group: Hashable = None
        for indexed in source:
            item = indexed[1]
            g = rules.group(item) if rules.group is not None else None
            k = rules.key(item) if rules.key is not None else None
            if batch and (len(batch) >= rules.size or g != group or (k is not None and k in keys)):
                yield batch
                batch, keys = [], set()
            group = g
            batch.append(indexed)
            if k is not None:
                keys.add(k)
        if batch:
            yield batch

    def _batches(
        self, source: Iterator[Indexed[T]], order: _Ordered, gate: Callable[[], None]
    ) -> Iterator[list[WriteOutcome]]:
        inflight: deque[
            tuple[list[Indexed[T]], Future[list[WriteOutcome]] | None, list[WriteOutcome] | None]
        ] = deque()
        budget_stop = limited = False

        def settle(oldest_only: bool) -> Iterator[list[WriteOutcome]]:
            nonlocal limited
            while inflight and (
                not oldest_only
                or len(inflight) >= self.rules.concurrency
                or (inflight[0][1] is not None and inflight[0][1].done())
            ):
                batch, future, done = inflight.popleft()
                outcomes = future.result() if future is not None else done
                assert outcomes is not None
                for (index, _), outcome in zip(batch, outcomes, strict=True):
                    order.fill(index, outcome)
                limited = limited or any(o.rate_limited for o in outcomes)
                released = order.release()
                if released:
                    yield released

        for batch in self._chunks(source):
            if self.meter.stop:
                budget_stop = True
                for index, item in batch:
                    order.fill(
                        index,
                        _retry(
                            self.ident(item),
                            "budget guard: the API allowance share is spent",
                            limited=True,
                        ),
                    )
                break
            gate()
            if self.rules.concurrency > 1:
                assert self.executor is not None
                inflight.append((batch, self.executor.submit(self._send, batch), None))
            else:
                inflight.append((batch, None, self._send(batch)))
            yield from settle(oldest_only=True)
            if limited:
                break
        yield from settle(oldest_only=False)
        yield from _finish(order, budget_stop)

    def _bulk(
        self, source: Iterator[Indexed[T]], order: _Ordered, gate: Callable[[], None]
    ) -> Iterator[list[WriteOutcome]]:
        assert self.bulk is not None
        budget_stop = False
        for job in self._jobs(source, order):
            if self.meter.stop:
                budget_stop = True
                break
            gate()
            items = [item for _, item in job]
            try:
                outcomes = list(self.bulk(items))
            except (RateLimited, BudgetExhausted) as exc:
                outcomes = [_retry(self.ident(i), str(exc), limited=True) for i in items]
            except RetriableError as exc:
                outcomes = [_retry(self.ident(i), str(exc)) for i in items]
            for (index, _), outcome in zip(job, outcomes, strict=True):
                order.fill(index, outcome)
            released = order.release()
            if released:
                yield released
            if any(o.rate_limited for o in outcomes):
                break
        yield from _finish(order, budget_stop)

    def _jobs(self, source: Iterator[Indexed[T]], order: _Ordered) -> Iterator[list[Indexed[T]]]:
        """Bulk jobs, by group: a group's job goes as soon as it holds ``bulk_job_max``
        updates, the rest once the stream ends; and once more than ``bulk_job_max``
        updates wait for their outcomes to be released, the job holding the oldest
        unsent one goes early, partly filled (outcomes are released in the stream's
        order, so a rare group's first update would otherwise hold back every later
        outcome until the stream ends)."""
        by_group: dict[Hashable, list[Indexed[T]]] = {}
        grouping = self.rules.bulk_group or self.rules.group
        cap = self.rules.bulk_job_max
        for indexed in source:
            g = grouping(indexed[1]) if grouping is not None else None
            part = by_group.setdefault(g, [])
            part.append(indexed)
            if len(part) >= cap:
                yield part
                by_group[g] = []
            elif indexed[0] + 1 - order.released > cap:
                oldest = min((k for k, p in by_group.items() if p), key=lambda k: by_group[k][0][0])
                yield by_group[oldest]
                by_group[oldest] = []
        yield from (part for part in by_group.values() if part)

    # -- one batch -------------------------------------------------------------------------
    def _send(self, batch: list[Indexed[T]]) -> list[WriteOutcome]:
        return self._split([item for _, item in batch])

    def _split(self, items: list[T]) -> list[WriteOutcome]:
        try:
            outcomes = list(self.send(items))
        except BatchRefused as exc:
            if len(items) > 1:
                half = len(items) // 2
                return self._split(items[:half]) + self._split(items[half:])
            return [WriteOutcome(self.ident(items[0]), "rejected", exc.reason, code=exc.code)]
        except (RateLimited, BudgetExhausted) as exc:
            return [_retry(self.ident(i), str(exc), limited=True) for i in items]
        except RetriableError as exc:
            return [_retry(self.ident(i), str(exc)) for i in items]
        if len(outcomes) != len(items):
            raise RetriableError(f"{len(outcomes)} outcomes for a batch of {len(items)}")
        return outcomes
