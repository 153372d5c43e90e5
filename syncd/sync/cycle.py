"""One cycle of one connector (docs/architecture.md, "One cycle").

pull pages -> commit each page with its cursor -> re-diff contacts whose only
change is the CRM's values of syncd's fields (no rescore) -> resolve accounts
of accountless contacts -> affected set (dirty contacts and their account
groups; every contact when the model changed, on the daily rescore, on a full
resync or a rescore) -> score with the core (``as_of`` = run start) -> decide
(diff against the CRM's values and the last written ones) -> write contacts in
priority order, then account scores, within the budget (a rate limit the
connector could not ride out ends the writes of this cycle) -> ledger -> run
record. Writes go to the connector as one ordered stream; it batches them and
its outcomes are recorded a batch at a time (``_Cycle.write``; every batch
passes ``_Cycle._before_batch`` right before it is sent).

At-least-once and idempotent: cursors move only with committed pages, dirty
flags clear only with saved scores, a write is recorded only after the CRM
answered, and rewriting equal values is harmless. ``stop`` and the connector's
wall-clock ``cycle_budget`` are checked between pages, score chunks and write
batches (``_Cycle.checkpoint``); the API budget is the connector's own budget
meter's call (``BudgetExhausted``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from connectors.base import (
    FIELD_MISSING,
    BudgetExhausted,
    Connector,
    FatalError,
    FieldsGone,
    RetriableError,
    Usage,
    WriteOutcome,
)
from syncd.core import AccountScore, ModelError, ScoreResult
from syncd.core.needs import needed_properties
from syncd.core.routing import Router, routed_account_scores, score_routed
from syncd.state import (
    AccountValues,
    AccountVerdict,
    LockBusy,
    LockLost,
    PendingAccount,
    PendingWrite,
)
from syncd.sync.dry_run import DryRunSummary
from syncd.sync.engine import Engine
from syncd.sync.gc_pacing import fewer_gc_passes
from syncd.sync.minimise import minimise_page, privacy_salt_of
from syncd.sync.predictive import contact_verdicts, predictive_changed, predictive_ref
from syncd.sync.privacy import prune
from syncd.sync.report import CycleReport, Progress
from syncd.sync.retrain import maybe_retrain
from syncd.sync.shadow import record_shadows
from syncd.sync.write_stream import WriteStream
from syncd.sync.writeback import (
    account_recheck,
    account_verdict,
    recheck,
)

__all__ = ["run_cycle"]

log = logging.getLogger("syncd.sync")


class _Stopped(Exception):
    pass


@dataclass
class _Tally:
    pulled: int = 0
    skipped: int = 0
    scored: int = 0
    written: int = 0
    unchanged: int = 0
    write_failures: int = 0
    dead_letters: int = 0
    drift_repaired: int = 0
    accounts_written: int = 0
    rescored_all: bool = False
    status: str = "ok"
    error: str | None = None
    usage: Usage = field(default_factory=Usage)


def _daily_rescore_due(app: Engine, connector: str, last: datetime | None, now: datetime) -> bool:
    at = app.config(connector).daily_rescore_at
    today = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    threshold = today if now >= today else today - timedelta(days=1)
    return last is None or last < threshold


class _Cycle:
    def __init__(
        self,
        app: Engine,
        name: str,
        run_id: str,
        started: datetime,
        stop: threading.Event,
        progress: Progress | None,
        dry_run: bool,
    ) -> None:
        self.app, self.name, self.run_id, self.started = app, name, run_id, started
        self.stop, self.progress, self.dry_run = stop, progress, dry_run
        self.cfg = app.config(name)
        self.deadline = started + self.cfg.cycle_budget
        self.store = app.store
        self.t = _Tally()
        self.conn: Connector | None = None
        self.usage_before = Usage()
        self.summary = DryRunSummary(now=started) if dry_run else None

    def _event(self, event: str, level: int = logging.INFO, **counts: Any) -> None:
        log.log(
            level,
            event.replace("_", " "),
            extra={"connector": self.name, "run_id": self.run_id, "event": event, **counts},
        )

    def _phase(self, name: str, total: int | None) -> None:
        if self.progress is not None:
            self.progress.phase(name, total)

    def _advance(self, n: int) -> None:
        if self.progress is not None:
            self.progress.advance(n)

    def connector(self) -> Connector:
        if self.conn is None:
            self.conn = self.app.connector(self.name)
            self.usage_before = self.conn.usage()
        return self.conn

    # ----------------------------------------------------------------- pull

    def pull(self, full: bool, since: datetime | None = None) -> None:
        conn = self.connector()
        fields = self.app.ensure_fields(
            self.name,
            conn.auto_create_fields and not self.dry_run,
            self.app.router(self.name).tier_names,
        )
        if not fields.ok and self.dry_run:
            log.warning(
                "fields missing (dry run goes on)",
                extra={
                    "connector": self.name,
                    "run_id": self.run_id,
                    "event": "fields_missing",
                    "missing": [f"{f.object}.{f.name}" for f in fields.missing],
                },
            )
        elif not fields.ok:
            missing = ", ".join(f"{f.object}.{f.name} ({f.type})" for f in fields.missing)
            raise FatalError(
                f"syncd's fields are missing: {missing}; run `syncd setup --connector {self.name}`"
            )
        cursor = None if full else self.store.meta(self.name).cursor
        self._phase("pull", None)
        pages = conn.changes(cursor, self.started, full=full, since=since)
        privacy = self.cfg.privacy
        needed = needed_properties(self.app.router(self.name))
        keep = None if privacy.store_all_properties else needed
        full_email = privacy.store_email or "email" in needed
        salt = None if full_email else privacy_salt_of(self.store.engine)
        for n, page in enumerate(pages, start=1):
            page = minimise_page(page, keep, salt)
            stats = self.store.commit_page(self.name, page, self.app.clock())
            for s in stats.skipped_records:
                log.warning(
                    "value skipped, record kept" if s.kept else "record skipped",
                    extra={
                        "connector": self.name,
                        "run_id": self.run_id,
                        "event": "skipped",
                        "record_id": s.record_id,
                        "kind": s.kind,
                        "reason": s.reason,
                    },
                )
            self.t.pulled += stats.contacts
            self.t.skipped += stats.skipped
            if n == 1 and page.estimated_total is not None:
                self._phase("pull", page.estimated_total)
            del page  # committed: released before the next one is fetched
            self._advance(stats.contacts)
            self._event(
                "page_committed",
                logging.DEBUG,
                page=n,
                contacts=stats.contacts,
                changed=stats.changed_contacts,
                accounts=stats.accounts,
                activities=stats.new_activities,
                deleted=stats.deleted,
                skipped=stats.skipped,
            )
            self.checkpoint()

    def checkpoint(self) -> None:
        """Stop here (a page, chunk or batch boundary) when asked to or when the
        cycle's wall-clock budget is spent."""
        if self.stop.is_set():
            raise _Stopped("stop requested")
        if self.app.clock() >= self.deadline:
            raise _Stopped(
                f"cycle budget: the cycle ran past its cycle_budget of {self.cfg.cycle_budget}; "
                "what it committed stands, the rest waits for the next cycle"
            )

    # ----------------------------------------------------------------- recheck

    def recheck(self, everything: bool) -> None:
        """Re-diff contacts and accounts whose only change is the CRM's values of
        syncd's fields (a dry run counts the contacts in its summary unless
        everything is rescored anyway, and stores nothing)."""
        mql = self.app.router(self.name).mql_tiers
        if self.summary is not None and everything:
            return
        for batch in self.store.recheck_batches(self.name, self.cfg.score_chunk):
            if self.summary is not None:
                for sc in batch:
                    if sc.desired is not None:
                        self.summary.add_values(sc, sc.desired, sc.desired_mql, mql)
                continue
            now = self.app.clock()
            verdicts = [v for v in (recheck(sc, mql, now) for sc in batch) if v is not None]
            self.store.save_rechecks(self.name, verdicts)
        while self.summary is None:
            accounts = self.store.account_rechecks(self.name, self.cfg.score_chunk)
            if not accounts:
                break
            self.store.save_account_rechecks(
                self.name, [(a.id, account_recheck(a)) for a in accounts]
            )

    # ----------------------------------------------------------------- score

    def score(self, everything: bool) -> None:
        router = self.app.router(self.name)
        mql = router.mql_tiers
        self.store.prepare_scoring(self.name)
        chunk = self.cfg.score_chunk
        self._phase("score", None)
        groups = (
            self.store.all_groups(self.name, chunk)
            if everything
            else self.store.dirty_groups(self.name, chunk)
        )
        for group in groups:
            ok, contacts, bad = [], [], []
            for sc in group:
                if sc.contact is not None:
                    contacts.append(sc.contact)
                    ok.append(sc)
                    continue
                bad.append(sc.id)
                self.t.skipped += 1
                log.warning(
                    "contact not scorable",
                    extra={
                        "connector": self.name,
                        "run_id": self.run_id,
                        "event": "skipped",
                        "record_id": sc.id,
                        "reason": sc.error,
                    },
                )
            results = score_routed(router, contacts, self.started)
            self.t.scored += len(results)
            if self.summary is not None:
                for sc, r in zip(ok, results, strict=True):
                    self.summary.add(sc, r, mql)
                self.t.unchanged = self.summary.scored - self.summary.would_write
            else:
                record_shadows(self.app, self.name, contacts, (router.ref, results), self.started)
                verdicts = contact_verdicts(
                    self.app, self.name, ok, contacts, results, mql, self.started
                )
                self.t.unchanged += sum(1 for v in verdicts if not v.pending)
                self.store.save_scores(
                    self.name,
                    verdicts,
                    bad,
                    self.run_id,
                    self.started,
                    self._account_verdicts(router, results),
                )
            self._advance(len(group))
            self.checkpoint()
        self._event("scored", scored=self.t.scored)
        if everything and self.summary is None:
            self.store.set_meta(
                self.name,
                self.app.clock(),
                model_ref=router.ref,
                last_rescore_at=self.started,
                predictive_ref=predictive_ref(self.app, self.name),
            )

    def _account_verdicts(
        self, router: Router, results: Sequence[ScoreResult]
    ) -> list[AccountVerdict]:
        """Verdicts for the stored CRM accounts scored in one chunk."""
        new = {
            a.key[3:]: AccountValues(a.score, _account_summary(a), a.priority)
            for a in routed_account_scores(router, results)
            if a.key.startswith("id:")
        }
        states = self.store.account_states(self.name, list(new))
        return [v for v in (account_verdict(s, new[i]) for i, s in states.items()) if v is not None]

    # ----------------------------------------------------------------- write

    def write(self) -> None:
        """Hand the connector the queued writes as one ordered stream (contacts by
        priority, then accounts; at most ``max_writes_per_cycle``) and record the
        outcomes of each CRM batch as they arrive, one transaction a batch."""
        counts = self.store.counts(self.name)
        if counts.pending == 0 and self.store.pending_account_count(self.name) == 0:
            return
        conn = self.connector()
        cap = self.cfg.max_writes_per_cycle
        self._phase("write", counts.pending if cap is None else min(cap, counts.pending))
        stream = WriteStream(self.store.write_queue(self.name, self.run_id), cap, self.started)
        limited = False
        try:
            for outcomes in conn.write(stream, before_batch=self._before_batch):
                sent = stream.settle(outcomes)
                self._record_contacts(
                    [w for w in sent if isinstance(w, PendingWrite)],
                    [o for w, o in zip(sent, outcomes, strict=True) if isinstance(w, PendingWrite)],
                )
                self._record_accounts(
                    [a for a in sent if isinstance(a, PendingAccount)],
                    [
                        o
                        for a, o in zip(sent, outcomes, strict=True)
                        if isinstance(a, PendingAccount)
                    ],
                )
                if any(o.code == FIELD_MISSING for o in outcomes):
                    self.app.forget_fields(self.name)
                if any(o.rate_limited for o in outcomes):
                    # the connector's own retries gave up on a rate limit: hand out no
                    # more, let it finish (and report) what it already took
                    limited = True
                    stream.close()
        except BudgetExhausted as exc:
            raise _Stopped(f"API budget guard: {exc}") from None
        if limited:
            raise _Stopped("rate limited by the CRM; the rest waits for the next cycle")

    def _before_batch(self) -> None:
        """Called by the connector right before it sends each write batch to the CRM:
        the one place to stop (or fence) the writes between batches."""
        self.checkpoint()
        self.store.check_fence(self.name)  # a holder that lost its lock writes no more

    def _record_contacts(
        self, batch: Sequence[PendingWrite], outcomes: Sequence[WriteOutcome]
    ) -> None:
        if not batch:
            return
        done = self.store.record_outcomes(
            self.name, self.run_id, batch, outcomes, self.app.clock(), self.cfg.dead_letter_after
        )
        self.t.written += done.written
        self.t.write_failures += done.failed
        self.t.dead_letters += done.dead
        self.t.drift_repaired += done.drift_repaired
        for w, o in zip(batch, outcomes, strict=True):
            if o.status != "ok":
                log.warning(
                    "write failed",
                    extra={
                        "connector": self.name,
                        "run_id": self.run_id,
                        "event": "write_failed",
                        "record_id": w.id,
                        "outcome": o.status,
                        "reason": o.reason,
                        "rate_limited": o.rate_limited,
                    },
                )
        self._advance(len(batch))
        self._event(
            "write_batch",
            logging.DEBUG,
            sent=len(batch),
            written=done.written,
            failed=done.failed,
            dead=done.dead,
        )

    def _record_accounts(
        self, batch: Sequence[PendingAccount], outcomes: Sequence[WriteOutcome]
    ) -> None:
        if not batch:
            return
        written, failed, dead = self.store.record_account_outcomes(
            self.name, self.run_id, batch, outcomes, self.cfg.dead_letter_after
        )
        self.t.accounts_written += written
        self.t.write_failures += failed
        self.t.dead_letters += dead
        for a, o in zip(batch, outcomes, strict=True):
            if o.status != "ok":
                log.warning(
                    "write failed",
                    extra={
                        "connector": self.name,
                        "run_id": self.run_id,
                        "event": "write_failed",
                        "record_id": a.id,
                        "object": "account",
                        "outcome": o.status,
                        "reason": o.reason,
                        "rate_limited": o.rate_limited,
                    },
                )
        self._event(
            "account_write_batch",
            logging.DEBUG,
            sent=len(batch),
            written=written,
            failed=failed,
            dead=dead,
        )


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
    c = _Cycle(app, connector, run_id, started, stop, progress, dry_run)
    c._event("cycle_started", kind=kind, dry_run=dry_run)
    try:
        with app.store.lock(connector, app.owner, app.clock):
            app.store.start_run(run_id, connector, kind if not dry_run else f"{kind}-dry", started)
            try:
                with fewer_gc_passes():
                    c.t.status = _run(c, full=full, rescore_only=rescore_only, since=since)
            except _Stopped as exc:
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
                    c.t.usage = _since(c.conn.usage(), c.usage_before)
            report = _report(c, kind)
            app.store.finish_run(
                run_id, report.finished_at, report.status, report.to_json(), report.error
            )
    except LockBusy as exc:  # another replica syncs it: not a failure
        c.t.status, c.t.error = "skipped", f"held elsewhere: {exc}"
        report = _report(c, kind)
    except SQLAlchemyError as exc:  # the state store itself failed (database down …)
        log.exception(
            "state store failed",
            extra={"connector": connector, "run_id": run_id, "event": "state_error"},
        )
        first = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip().splitlines()
        c.t.status = "failed"
        c.t.error = f"state store error ({type(exc).__name__}): {first[0] if first else ''}"
        report = _report(c, kind)
    c._event(
        "cycle_finished",
        kind=report.kind,
        status=report.status,
        duration_s=round((report.finished_at - report.started_at).total_seconds(), 3),
        calls=sum(report.api_calls.values()),
        api_calls=dict(report.api_calls),
        pulled=report.pulled,
        scored=report.scored,
        written=report.written,
        failures=report.write_failures,
        dead_letters=report.dead_letters,
        pending=report.pending,
        drift_repaired=report.drift_repaired,
        error=report.error,
    )
    return report


def _run(c: _Cycle, *, full: bool, rescore_only: bool, since: datetime | None) -> str:
    meta = c.store.meta(c.name)
    model = c.app.router(c.name)
    if not rescore_only:
        c.pull(full, since)
    if meta.model_ref is not None and meta.model_ref != model.ref:
        c._event(
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
    c.recheck(everything)
    c.score(everything)
    if not c.dry_run:
        c.write()
    return "ok"


def _since(now: Usage, before: Usage) -> Usage:
    """This cycle's calls, answers and 429s (a connector counts over the engine's life)."""
    calls = {k: n - before.calls.get(k, 0) for k, n in now.calls.items()}
    answers = {k: n - before.responses.get(k, 0) for k, n in now.responses.items()}
    return Usage(
        calls={k: n for k, n in calls.items() if n},
        http_429=now.http_429 - before.http_429,
        responses={k: n for k, n in answers.items() if n},
        budget_remaining=now.budget_remaining,
        budget_limit=now.budget_limit,
        calls_left=now.calls_left,
        stop=now.stop,
    )


def _account_summary(a: AccountScore) -> str:
    """The account's summary field (≤ 255 characters): the buying group's one-line
    summary when the model declares one ("Buying group 67%: economic buyer,
    champion engaged; missing: technical evaluator"), else the aggregate, the
    contacts, the top contacts and the priority flag."""
    if a.buying_group is not None:
        text = a.buying_group.summary + ("; priority account" if a.priority else "")
    else:
        text = (
            f"{a.aggregate} = {a.score} over {a.contacts} contact(s); top: "
            f"{', '.join(a.top_contact_ids)}" + ("; priority account" if a.priority else "")
        )
    return text if len(text) <= 255 else text[:254] + "…"


def _report(c: _Cycle, kind: str) -> CycleReport:
    t = c.t
    try:
        pending = c.store.counts(c.name).pending
        accounts_pending = c.store.pending_account_count(c.name)
    except Exception:  # the store itself failed: the report still goes out
        pending = accounts_pending = -1
    return CycleReport(
        connector=c.name,
        run_id=c.run_id,
        kind=kind,
        started_at=c.started,
        finished_at=c.app.clock(),
        status=t.status,
        pulled=t.pulled,
        scored=t.scored,
        written=t.written,
        unchanged=t.unchanged,
        write_failures=t.write_failures,
        dead_letters=t.dead_letters,
        pending=pending,
        drift_repaired=t.drift_repaired,
        api_calls=dict(t.usage.calls),
        http_429=t.usage.http_429,
        budget_remaining=t.usage.budget_remaining,
        skipped=t.skipped,
        error=None if t.error is None else c.store.redact.text(t.error),
        rescored_all=t.rescored_all,
        accounts_written=t.accounts_written,
        accounts_pending=accounts_pending,
        api_responses=dict(t.usage.responses),
        dry_run=c.summary,
    )
