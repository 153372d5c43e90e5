"""One cycle of one connector (docs/architecture.md, "One cycle"): ``run_cycle``
runs the steps in order under the connector's lock and maps what ended it to the
run's status.

pull pages -> commit each page with its cursor -> (retrain the predictive model
when due; on the daily pass, prune per retention) -> re-diff contacts whose only
change is the CRM's values of syncd's fields (no rescore) -> resolve accounts
of accountless contacts -> affected set (dirty contacts and their account
groups; every contact when the model changed, on the daily rescore, on a full
resync or a rescore) -> score with the core (``as_of`` = run start) -> decide
(diff against the CRM's values and the last written ones) -> write contacts in
priority order, then account scores, within the budget (a rate limit the
connector could not ride out ends the writes of this cycle) -> ledger -> run
record. Writes go to the connector as one ordered stream; it batches them and
its outcomes are recorded a batch at a time (``cycle_write.write``; every batch
passes ``cycle_write.before_batch`` right before it is sent). A dry run pulls
like any cycle, then scores and decides into its summary: it saves no verdict,
prunes, retrains and writes nothing.

The steps live beside this module: ``cycle_pull`` (pull and commit),
``cycle_score`` (recheck, score, verdicts), ``cycle_write`` (write stream,
outcomes, fencing); ``cycle_context`` holds what they share and builds the
report.

At-least-once and idempotent: cursors move only with committed pages, dirty
flags clear only with saved scores, a write is recorded only after the CRM
answered, and rewriting equal values is harmless. ``stop`` and the connector's
wall-clock ``cycle_budget`` are checked between pages, score chunks and write
batches (``CycleContext.checkpoint``); the API budget is the connector's own
budget meter's call (``BudgetExhausted``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from connectors.base import BudgetExhausted, FatalError, FieldsGone, RetriableError
from syncd.core import ModelError
from syncd.state import LockBusy, LockLost
from syncd.sync.cycle_context import CycleContext, Stopped, log
from syncd.sync.cycle_pull import pull
from syncd.sync.cycle_score import recheck, score
from syncd.sync.cycle_write import write
from syncd.sync.engine import Engine
from syncd.sync.gc_pacing import fewer_gc_passes
from syncd.sync.predictive import predictive_changed
from syncd.sync.privacy import prune
from syncd.sync.report import CycleReport, Progress
from syncd.sync.retrain import maybe_retrain

__all__ = ["run_cycle"]


def _daily_rescore_due(app: Engine, connector: str, last: datetime | None, now: datetime) -> bool:
    at = app.config(connector).daily_rescore_at
    today = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    threshold = today if now >= today else today - timedelta(days=1)
    return last is None or last < threshold


def run_cycle(
    app: Engine,
    connector: str,
    *,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    full: bool = False,
    rescore_only: bool = False,
    dry_run: bool = False,
    since: datetime | None = None,
) -> CycleReport:
    """Run one cycle of ``connector``; never raises for a CRM, data or lock
    problem (the report says ``failed`` with a human message). ``since``
    (timezone-aware, not with ``full`` or ``rescore_only``) re-reads every record
    modified at or after it, then scores and writes like an ordinary cycle."""
    if since is not None and (full or rescore_only):
        raise ValueError("since excludes full and rescore_only")
    if since is not None and since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    stop = stop or threading.Event()
    run_id = uuid.uuid4().hex[:16]
    started = app.clock()
    kind = (
        "full"
        if full
        else "rescore"
        if rescore_only
        else "since"
        if since is not None
        else "incremental"
    )
    c = CycleContext(app, connector, run_id, started, stop, progress, dry_run)
    c.event("cycle_started", kind=kind, dry_run=dry_run)
    try:
        with app.store.lock(connector, app.owner, app.clock):
            app.store.start_run(run_id, connector, kind if not dry_run else f"{kind}-dry", started)
            try:
                with fewer_gc_passes():
                    c.t.status = _run(c, full=full, rescore_only=rescore_only, since=since)
            except Stopped as exc:
                c.t.status, c.t.error = "stopped", str(exc)
            except BudgetExhausted as exc:  # the connector's budget guard ended the pull
                c.t.status, c.t.error = "stopped", f"API budget guard: {exc}"
            except LockLost as exc:
                c.t.status, c.t.error = "failed", str(exc)
            except (FatalError, RetriableError) as exc:
                if isinstance(exc, FieldsGone):
                    app.forget_fields(connector)
                c.t.status, c.t.error = "failed", str(exc)
            except ModelError as exc:
                c.t.status, c.t.error = "failed", f"model not usable: {exc}"
            except SQLAlchemyError:
                raise
            except Exception as exc:  # a bug: record it, keep the daemon alive
                log.exception(
                    "cycle crashed",
                    extra={"connector": connector, "run_id": run_id, "event": "internal_error"},
                )
                c.t.status = "failed"
                c.t.error = f"internal error ({type(exc).__name__}); see the log"
            finally:
                if c.conn is not None:  # the engine closes its connectors when it closes
                    c.t.usage = c.usage_this_cycle(c.conn)
            report = c.report(kind)
            app.store.finish_run(
                run_id, report.finished_at, report.status, report.to_json(), report.error
            )
    except LockBusy as exc:  # another replica syncs it: not a failure
        c.t.status, c.t.error = "skipped", f"held elsewhere: {exc}"
        report = c.report(kind)
    except SQLAlchemyError as exc:  # the state store itself failed (database down …)
        log.exception(
            "state store failed",
            extra={"connector": connector, "run_id": run_id, "event": "state_error"},
        )
        first = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip().splitlines()
        c.t.status = "failed"
        c.t.error = f"state store error ({type(exc).__name__}): {first[0] if first else ''}"
        report = c.report(kind)
    c.event("cycle_finished", **report.log_fields())
    return report


def _run(c: CycleContext, *, full: bool, rescore_only: bool, since: datetime | None) -> str:
    meta = c.store.meta(c.name)
    model = c.app.router(c.name)
    if not rescore_only:
        pull(c, full, since)
    if meta.model_ref is not None and meta.model_ref != model.ref:
        c.event(
            "model_changed",
            logging.INFO,
            dry_run=c.dry_run,
            **{"from": meta.model_ref, "to": model.ref},
        )
    maybe_retrain(c.app, c.name, c.started, c.dry_run)
    daily = _daily_rescore_due(c.app, c.name, meta.last_rescore_at, c.started)
    if daily and not c.dry_run:
        prune(c.app, c.name, c.run_id, c.started)  # retention: the daily pass
    everything = (
        rescore_only
        or full
        or meta.model_ref != model.ref
        or daily
        or predictive_changed(c.app, c.name, meta.predictive_ref)
    )
    c.t.rescored_all = everything
    recheck(c, everything)
    score(c, everything)
    if not c.dry_run:
        write(c)
    return "ok"
