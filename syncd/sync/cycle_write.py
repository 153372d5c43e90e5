"""The cycle's write step: the queued writes go to the connector as one ordered
stream (contacts by priority, then accounts, within ``max_writes_per_cycle``);
the outcomes of each CRM batch are recorded as they arrive, one transaction a
batch, and every batch passes ``before_batch`` (stop, budget, lock fence) right
before it is sent."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from connectors.base import FIELD_MISSING, BudgetExhausted, WriteOutcome
from syncd.state import PendingAccount, PendingWrite
from syncd.sync.cycle_context import CycleContext, Stopped, log
from syncd.sync.write_stream import WriteStream

__all__ = ["before_batch", "write"]


def write(c: CycleContext) -> None:
    """Hand the connector the queued writes as one ordered stream (contacts by
    priority, then accounts; at most ``max_writes_per_cycle``) and record the
    outcomes of each CRM batch as they arrive, one transaction a batch.
    ``Stopped`` when the API budget ran out or the CRM rate-limited a write past
    the connector's own retries (what was answered is recorded first)."""
    pending = c.store.pending_count(c.name)
    if pending == 0 and c.store.pending_account_count(c.name) == 0:
        return
    conn = c.connector()
    cap = c.cfg.max_writes_per_cycle
    c.phase("write", pending if cap is None else min(cap, pending))
    stream = WriteStream(c.store.write_queue(c.name, c.run_id), cap, c.started)
    limited = False
    try:
        for outcomes in conn.write(stream, before_batch=lambda: before_batch(c)):
            sent = stream.settle(outcomes)
            _record_contacts(
                c,
                [w for w in sent if isinstance(w, PendingWrite)],
                [o for w, o in zip(sent, outcomes, strict=True) if isinstance(w, PendingWrite)],
            )
            _record_accounts(
                c,
                [a for a in sent if isinstance(a, PendingAccount)],
                [o for a, o in zip(sent, outcomes, strict=True) if isinstance(a, PendingAccount)],
            )
            if any(o.code == FIELD_MISSING for o in outcomes):
                c.app.forget_fields(c.name)
            if any(o.rate_limited for o in outcomes):
                # the connector's own retries gave up on a rate limit: hand out no
                # more, let it finish (and report) what it already took
                limited = True
                stream.close()
    except BudgetExhausted as exc:
        raise Stopped(f"API budget guard: {exc}") from None
    if limited:
        raise Stopped("rate limited by the CRM; the rest waits for the next cycle")


def before_batch(c: CycleContext) -> None:
    """Called by the connector right before it sends each write batch to the CRM:
    the one place to stop (or fence) the writes between batches."""
    c.checkpoint()
    c.store.check_fence(c.name)  # a holder that lost its lock writes no more


def _record_contacts(
    c: CycleContext, batch: Sequence[PendingWrite], outcomes: Sequence[WriteOutcome]
) -> None:
    if not batch:
        return
    done = c.store.record_outcomes(
        c.name, c.run_id, batch, outcomes, c.app.clock(), c.cfg.dead_letter_after
    )
    c.t.written += done.written
    c.t.write_failures += done.failed
    c.t.dead_letters += done.dead
    c.t.drift_repaired += done.drift_repaired
    _log_failures(c, [w.id for w in batch], outcomes)
    c.advance(len(batch))
    c.event(
        "write_batch",
        logging.DEBUG,
        sent=len(batch),
        written=done.written,
        failed=done.failed,
        dead=done.dead,
    )


def _record_accounts(
    c: CycleContext, batch: Sequence[PendingAccount], outcomes: Sequence[WriteOutcome]
) -> None:
    if not batch:
        return
    written, failed, dead = c.store.record_account_outcomes(
        c.name, c.run_id, batch, outcomes, c.cfg.dead_letter_after
    )
    c.t.accounts_written += written
    c.t.write_failures += failed
    c.t.dead_letters += dead
    _log_failures(c, [a.id for a in batch], outcomes, {"object": "account"})
    c.event(
        "account_write_batch",
        logging.DEBUG,
        sent=len(batch),
        written=written,
        failed=failed,
        dead=dead,
    )


def _log_failures(
    c: CycleContext,
    ids: Sequence[str],
    outcomes: Sequence[WriteOutcome],
    extra: Mapping[str, str] | None = None,
) -> None:
    """One ``write_failed`` warning per record (``ids``, in the outcomes' order)
    the CRM did not take."""
    for record_id, o in zip(ids, outcomes, strict=True):
        if o.status != "ok":
            log.warning(
                "write failed",
                extra={
                    "connector": c.name,
                    "run_id": c.run_id,
                    "event": "write_failed",
                    "record_id": record_id,
                    **(extra or {}),
                    "outcome": o.status,
                    "reason": o.reason,
                    "rate_limited": o.rate_limited,
                },
            )
