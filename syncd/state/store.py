"""The state store: one object the engine and the CLI talk to.

``Store.open(url)`` creates the engine and applies migrations. Methods that
change data run in their own transaction unless they take a connection.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from connectors.base import Page, WriteOutcome
from syncd.core.outcomes import Outcome
from syncd.core.usage import Horizon
from syncd.redact import Redactor
from syncd.state import account_ledger, ledger, pages, shadow, write_queue
from syncd.state import contacts as contact_reads
from syncd.state.abandoned import abandon_runs
from syncd.state.account_ledger import PendingAccount
from syncd.state.lock import Fence, connector_lock
from syncd.state.migrate import create_engine, open_existing, upgrade
from syncd.state.outcomes import load_outcomes, with_outcomes
from syncd.state.records import (
    AccountState,
    AccountVerdict,
    ContactState,
    Meta,
    PageStats,
    PendingWrite,
    Recheck,
    Scored,
    ScoringRow,
    StoredContact,
    canonical,
)
from syncd.state.reports import RunRecord, run_records
from syncd.state.retention import prune_activities
from syncd.state.schema import accounts, contacts, meta, runs, score_history
from syncd.state.shadow import ShadowRow
from syncd.state.stateguard import FileGuard, StateStoreUnusable, read_only_error

__all__ = ["ConnectorCounts", "HistoryRow", "RunRow", "Store"]

log = logging.getLogger("syncd.state")


#: One stored run (the same record ``syncd runs`` and ``syncd report`` read).
RunRow = RunRecord


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: datetime
    score: int
    tier: str
    model_ref: str
    run_id: str


@dataclass(frozen=True, slots=True)
class ConnectorCounts:
    contacts: int
    pending: int
    dead: int
    dirty: int


class Store:
    """SQLite (default) or PostgreSQL state, schema migrated on open."""

    def __init__(
        self,
        engine: sa.Engine,
        lease: timedelta = timedelta(minutes=2),
        secrets: Iterable[str] = (),
    ) -> None:
        self.engine = engine
        self.lease = lease
        #: masks secrets and credential-shaped text in errors before they are stored
        self.redact = Redactor(secrets)
        self._fences: dict[str, Fence] = {}
        self.file_guard = FileGuard(engine)

    @classmethod
    def open(
        cls, url: str, lease: timedelta = timedelta(minutes=2), secrets: Iterable[str] = ()
    ) -> Store:
        """``secrets``: the configured secret values, masked in stored errors."""
        engine = create_engine(url)
        upgrade(engine)
        return cls(engine, lease, secrets)

    def _masked(self, outcomes: Sequence[WriteOutcome]) -> list[WriteOutcome]:
        return [replace(o, reason=self.redact.text(o.reason)) if o.reason else o for o in outcomes]

    @classmethod
    def open_existing(cls, url: str, lease: timedelta = timedelta(minutes=2)) -> Store:
        """The store at ``url`` when syncd's state exists there; raises
        ``migrate.StateMissing`` otherwise, having created nothing."""
        return cls(open_existing(url), lease)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ lock

    def lock(
        self, connector: str, owner: str, clock: Callable[[], datetime]
    ) -> AbstractContextManager[Fence]:
        """The connector's exclusive, fenced lock; raises ``LockBusy`` when held
        elsewhere, ``StateStoreUnusable`` when ``problem()`` names one. While it
        is held, every write of the connector's state through this store checks
        the fence first and raises ``LockLost`` (writing nothing) once another
        holder took the lock over."""
        return self._held(connector, owner, clock)

    def problem(self) -> str | None:
        """None when the store is safe to use, else why not (SQLite file deleted,
        replaced or read-only); checked before every cycle and by readiness."""
        return self.file_guard.problem()

    @contextmanager
    def _held(self, connector: str, owner: str, clock: Callable[[], datetime]) -> Iterator[Fence]:
        self.file_guard.check()  # raises StateStoreUnusable: never run on a ghost
        with ExitStack() as stack:
            with self._read_only_named():
                fence = stack.enter_context(
                    connector_lock(self.engine, connector, owner, clock, self.lease)
                )
            self._fences[connector] = fence
            try:
                yield fence
            finally:
                self._fences.pop(connector, None)

    @contextmanager
    def _write(self, connector: str) -> Iterator[sa.Connection]:
        """A write transaction for ``connector``'s state, fenced while its lock
        is held here: the fence check is the transaction's first statement. A
        store that refuses writes raises ``StateStoreUnusable`` saying so."""
        with self._read_only_named(), self.engine.begin() as conn:
            fence = self._fences.get(connector)
            if fence is not None:
                fence.check(conn)
            yield conn

    @contextmanager
    def _read_only_named(self) -> Iterator[None]:
        """Turn the driver's "read-only database" refusal into ``StateStoreUnusable``
        naming the store."""
        try:
            yield
        except sa.exc.DBAPIError as exc:
            if not read_only_error(exc):
                raise
            where = self.file_guard.path or self.engine.url.render_as_string(hide_password=True)
            raise StateStoreUnusable(f"state store is read-only: {where}") from exc

    def check_fence(self, connector: str) -> None:
        """Raise ``LockLost`` unless this store still holds ``connector``'s lock
        (no-op when it does not hold it at all); called before each CRM write batch."""
        if connector in self._fences:
            with self._write(connector):
                pass

    # ------------------------------------------------------------------ meta

    def meta(self, connector: str) -> Meta:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(meta).where(meta.c.connector == connector)).first()
        if row is None:
            return Meta(None, None, None)
        cursor = json.loads(row.cursor) if row.cursor else None
        retrain = json.loads(row.retrain) if row.retrain else None
        return Meta(
            cursor,
            row.model_ref,
            row.last_rescore_at,
            row.predictive_ref,
            row.retrained_at,
            retrain,
        )

    def set_meta(self, connector: str, now: datetime, **values: Any) -> None:
        """Set ``model_ref``, ``predictive_ref``, ``last_rescore_at``, ``retrained_at`` or
        ``retrain`` (a dict, stored as JSON text); the cursor moves only with a committed page."""
        if values.get("retrain") is not None:
            values = {**values, "retrain": canonical(values["retrain"])}
        with self._write(connector) as conn:
            done = conn.execute(
                sa.update(meta)
                .where(meta.c.connector == connector)
                .values(updated_at=now, **values)
            )
            if done.rowcount == 0:
                conn.execute(sa.insert(meta).values(connector=connector, updated_at=now, **values))

    # ------------------------------------------------------------------ pulls

    def commit_page(self, connector: str, page: Page, now: datetime) -> PageStats:
        """Store one page and its cursor atomically."""
        with self._write(connector) as conn:
            return pages.commit_page(conn, connector, page, now)

    def prune_activities(
        self, connector: str, horizon: Horizon | Callable[[str], float | None], now: datetime
    ) -> int:
        """Delete activities past their retention (``retention.prune_activities``)."""
        with self._write(connector) as conn:
            return prune_activities(conn, connector, horizon, now)

    def prepare_scoring(self, connector: str) -> int:
        """Resolve accounts of dirty accountless contacts and refresh their
        account keys; returns how many account links changed."""
        with self._write(connector) as conn:
            changed = pages.resolve_accounts(conn, connector)
            pages.refresh_keys(conn, connector)
        return changed

    # ------------------------------------------------------------------ reads

    def dirty_groups(
        self, connector: str, chunk: int, evidence_ref: str | None = None
    ) -> Iterator[list[ScoringRow]]:
        """``contacts.dirty_groups``: with ``evidence_ref``, rows with usable
        stored evidence come with it instead of a rebuilt contact."""
        return contact_reads.dirty_groups(self.engine, connector, chunk, evidence_ref)

    def all_groups(
        self, connector: str, chunk: int, evidence_ref: str | None = None
    ) -> Iterator[list[ScoringRow]]:
        """``contacts.all_groups``: with ``evidence_ref``, rows with usable
        stored evidence come with it instead of a rebuilt contact."""
        return contact_reads.all_groups(self.engine, connector, chunk, evidence_ref)

    def recheck_batches(self, connector: str, chunk: int) -> Iterator[list[ContactState]]:
        return contact_reads.recheck_batches(self.engine, connector, chunk)

    def save_rechecks(self, connector: str, verdicts: Sequence[Recheck]) -> None:
        with self._write(connector) as conn:
            ledger.save_rechecks(conn, connector, verdicts)

    def account_states(self, connector: str, ids: Sequence[str]) -> dict[str, AccountState]:
        """The stored accounts among ``ids``, by id."""
        with self.engine.connect() as conn:
            return account_ledger.account_states(conn, connector, ids)

    def account_rechecks(self, connector: str, limit: int) -> list[AccountState]:
        """Up to ``limit`` accounts whose CRM score changed since their verdict."""
        with self.engine.connect() as conn:
            return account_ledger.account_rechecks(conn, connector, limit)

    def save_account_rechecks(
        self, connector: str, verdicts: Sequence[tuple[str, bool | None]]
    ) -> None:
        with self._write(connector) as conn:
            account_ledger.save_account_rechecks(conn, connector, verdicts)

    def outcomes(
        self, connector: str, ids: Sequence[str] | None = None
    ) -> dict[str, tuple[Outcome, ...]]:
        """The CRM outcomes by contact id, oldest first (only contacts that have
        any); ``ids`` limits the read to those contacts."""
        with self.engine.connect() as conn:
            return load_outcomes(conn, connector, ids)

    def save_shadow_scores(
        self, connector: str, model_ref: str, live: bool, rows: Sequence[ShadowRow], now: datetime
    ) -> None:
        """Store one chunk's scores by one compared model (fenced like every write)."""
        with self._write(connector) as conn:
            shadow.save_shadow_scores(conn, connector, model_ref, live, rows, now)

    def contact(self, connector: str, cid: str) -> StoredContact | None:
        with self.engine.connect() as conn:
            found = contact_reads.load_contacts(conn, connector, [cid])
        return found[0] if found else None

    def group_of(self, connector: str, cid: str) -> list[StoredContact]:
        """The contact and its account-mates (everything its score depends on)."""
        with self.engine.connect() as conn:
            key = conn.execute(
                sa.select(contacts.c.account_key).where(
                    contacts.c.connector == connector, contacts.c.id == cid
                )
            ).scalar_one_or_none()
            if key is None:
                return contact_reads.load_contacts(conn, connector, [cid])
            ids = [
                i
                for (i,) in conn.execute(
                    sa.select(contacts.c.id).where(
                        contacts.c.connector == connector, contacts.c.account_key == key
                    )
                )
            ]
            return contact_reads.load_contacts(conn, connector, ids)

    def history(self, connector: str, cid: str, limit: int = 50) -> list[HistoryRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(score_history)
                .where(score_history.c.connector == connector, score_history.c.contact_id == cid)
                .order_by(score_history.c.seq.desc())
                .limit(limit)
            ).all()
        return [HistoryRow(r.at, r.score, r.tier, r.model_ref, r.run_id) for r in rows]

    def counts(self, connector: str) -> ConnectorCounts:
        c = contacts.c
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.coalesce(
                        sa.func.sum(
                            sa.case(
                                (
                                    sa.and_(
                                        c.pending.is_(True), c.dead.is_(False), c.writable.is_(True)
                                    ),
                                    1,
                                ),
                                else_=0,
                            )
                        ),
                        0,
                    ),
                    sa.func.coalesce(sa.func.sum(sa.case((c.dead.is_(True), 1), else_=0)), 0),
                    sa.func.coalesce(sa.func.sum(sa.case((c.dirty.is_(True), 1), else_=0)), 0),
                ).where(c.connector == connector)
            ).one()
        return ConnectorCounts(int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    def dead_letters(self, connector: str, limit: int = 20) -> list[tuple[str, int, str]]:
        """(contact id, attempts, last error) of dead-lettered writes."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(contacts.c.id, contacts.c.attempts, contacts.c.last_error)
                .where(contacts.c.connector == connector, contacts.c.dead.is_(True))
                .order_by(contacts.c.id)
                .limit(limit)
            ).all()
        return [(r[0], int(r[1]), r[2] or "") for r in rows]

    # ------------------------------------------------------------------ scores, writes

    def save_scores(
        self,
        connector: str,
        scored: Sequence[Scored],
        clean: Sequence[str],
        run_id: str,
        now: datetime,
        account_verdicts: Sequence[AccountVerdict] = (),
        *,
        evidence: Sequence[tuple[str, str]] = (),
        evidence_ref: str | None = None,
    ) -> None:
        """Contact verdicts and the account verdicts of the same chunk, in one
        transaction, with the scoring evidence of contacts (contact id, evidence
        text) matched under ``evidence_ref`` (``ledger.save_scores``)."""
        with self._write(connector) as conn:
            ledger.save_scores(
                conn,
                connector,
                scored,
                clean,
                run_id,
                now,
                evidence=evidence,
                evidence_ref=evidence_ref,
            )
            if account_verdicts:
                account_ledger.save_account_verdicts(conn, connector, account_verdicts)

    def record_outcomes(
        self,
        connector: str,
        run_id: str,
        sent: Sequence[PendingWrite],
        outcomes: Sequence[WriteOutcome],
        now: datetime,
        dead_after: int,
    ) -> ledger.OutcomeCounts:
        with self._write(connector) as conn:
            return ledger.record_outcomes(
                conn, connector, run_id, sent, self._masked(outcomes), now, dead_after
            )

    def write_queue(
        self, connector: str, run_id: str, chunk: int = 500
    ) -> Iterator[PendingWrite | PendingAccount]:
        """Every queued write of this run, contacts by priority then accounts
        (``write_queue.py``)."""
        return write_queue.write_queue(self.engine, connector, run_id, chunk)

    def record_account_outcomes(
        self,
        connector: str,
        run_id: str,
        sent: Sequence[PendingAccount],
        outcomes: Sequence[WriteOutcome],
        dead_after: int,
    ) -> tuple[int, int, int]:
        with self._write(connector) as conn:
            return account_ledger.record_account_outcomes(
                conn, connector, run_id, sent, self._masked(outcomes), dead_after
            )

    def retry_dead(self, connector: str) -> int:
        """Give every dead-lettered write (contacts and accounts) a fresh ledger."""
        n = 0
        with self._write(connector) as conn:
            for table in (contacts, accounts):
                n += conn.execute(
                    sa.update(table)
                    .where(table.c.connector == connector, table.c.dead.is_(True))
                    .values(dead=False, attempts=0, attempt_run=None)
                ).rowcount
        return n

    def pending_count(self, connector: str) -> int:
        """``counts(connector).pending`` alone, read through the pending index
        (``counts`` reads every contact row)."""
        c = contacts.c
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(
                        c.connector == connector,
                        c.pending.is_(True),
                        c.dead.is_(False),
                        c.writable.is_(True),
                    )
                ).scalar_one()
            )

    def pending_account_count(self, connector: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(
                        accounts.c.connector == connector,
                        accounts.c.pending.is_(True),
                        accounts.c.dead.is_(False),
                    )
                ).scalar_one()
            )

    # ------------------------------------------------------------------ runs

    def start_run(self, run_id: str, connector: str, kind: str, now: datetime) -> None:
        """Record a run as ``running``; under the connector's lock, first mark the
        runs a dead process left ``running`` as ``abandoned``."""
        with self._write(connector) as conn:
            if connector in self._fences:
                n = abandon_runs(conn, connector, now)
                if n:
                    log.warning(
                        "%d run(s) left running by a stopped process marked abandoned",
                        n,
                        extra={"connector": connector, "event": "runs_abandoned"},
                    )
            conn.execute(
                sa.insert(runs).values(
                    run_id=run_id, connector=connector, kind=kind, started_at=now, status="running"
                )
            )

    def finish_run(
        self, run_id: str, now: datetime, status: str, report: dict[str, Any], error: str | None
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(runs)
                .where(runs.c.run_id == run_id)
                .values(
                    finished_at=now,
                    status=status,
                    report=self.redact.text(json.dumps(report, default=str)),
                    error=None if error is None else self.redact.text(error),
                )
            )

    def last_runs(self, connector: str, limit: int = 1) -> list[RunRow]:
        """The connector's newest runs, newest first."""
        return run_records(self.engine, connector, last=limit)

    # ------------------------------------------------------------------ export

    def export(self, connector: str, chunk: int = 500) -> Iterator[dict[str, Any]]:
        """Every stored contact's canonical JSON, in id order, streamed; a contact
        with CRM outcomes carries them as ``outcomes`` (oldest first), which
        ``syncd score`` ignores."""
        after = ""
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(contacts)
                    .where(contacts.c.connector == connector, contacts.c.id > after)
                    .order_by(contacts.c.id)
                    .limit(chunk)
                ).all()
                if not rows:
                    return
                after = rows[-1].id
                batch = contact_reads.assemble(conn, connector, rows)
                found = load_outcomes(conn, connector, [r.id for r in rows])
            for sc in batch:
                yield with_outcomes(sc.json, found.get(str(sc.json.get("id")), ()))
