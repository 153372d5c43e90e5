"""An in-memory CRM and a connector for it that follows ``connectors/base.py``
faithfully: pages with opaque cursors, the current values of syncd's fields on
every read, our own writes bumping modification stamps (so the next cycle
re-reads them; each record's stamp is ``modified_at``: ``STAMP_EPOCH`` plus
``seq`` milliseconds, later than any engine clock in the tests, since this CRM
is read-consistent: a value that differs from syncd's write is always an edit
made after it), per-record write outcomes (rejected / retriable / rate
limited), a call budget, deletions and merges.

The CRM can be saved to and loaded from a JSON file so that a subprocess (the
crash tests) and the test share it. ``kill_at`` makes the connector SIGKILL its
own process at a chosen step: ``page:N`` (before yielding page N),
``write-before:N`` / ``write-after:N`` (around the N-th write call, after
the CRM applied it for ``after``).
"""

from __future__ import annotations

import json
import os
import signal
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.base import (
    AccountRecord,
    AccountUpdate,
    ActivityRecord,
    BeforeBatch,
    BudgetExhausted,
    CheckItem,
    Connector,
    ContactRecord,
    FatalError,
    FieldSpec,
    FieldsReport,
    Outcome,
    Page,
    RateLimited,
    RetriableError,
    Update,
    Usage,
    WriteOutcome,
    WrittenValues,
)
from connectors.kit.batcher import Batcher, BatchRules

FIELDS = ("score", "tier", "reasons", "priority")
STAMP_EPOCH = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass
class MemoryCRM:
    """The CRM's state. ``seq`` is the modification clock."""

    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: list[list[Any]] = field(default_factory=list)
    seq: int = 0
    #: contact id -> outcomes to return on its next writes ("rejected", "retriable", "rate")
    failures: dict[str, list[str]] = field(default_factory=dict)
    #: total calls the budget allows (None: unlimited)
    budget: int | None = None
    calls: Counter[str] = field(default_factory=Counter)
    writes: list[dict[str, Any]] = field(default_factory=list)
    #: every call answers "429" while set (reads raise RateLimited; writes come back
    #: retriable, rate-limited)
    rate_limited: bool = False
    http_429: int = 0

    def tick(self) -> int:
        self.seq += 1
        return self.seq

    def add_account(self, aid: str, **data: Any) -> None:
        self.accounts[aid] = {"data": {"id": aid, **data}, "mod": self.tick()}

    def add_contact(
        self,
        cid: str,
        *,
        kind: str = "contact",
        account_id: str | None = None,
        writable: bool = True,
        **data: Any,
    ) -> None:
        old = self.contacts.get(cid, {})
        self.contacts[cid] = {
            "data": {"id": cid, **data},
            "kind": kind,
            "account_id": account_id,
            "writable": writable,
            "fields": old.get("fields", dict.fromkeys(FIELDS)),
            "mod": self.tick(),
        }

    def add_activity(self, key: str, contact_id: str, **data: Any) -> None:
        self.activities[key] = {"contact_id": contact_id, "data": data, "mod": self.tick()}

    def edit_fields(self, cid: str, **values: Any) -> None:
        """A hand edit of syncd's fields in the CRM UI."""
        self.contacts[cid]["fields"].update(values)
        self.contacts[cid]["mod"] = self.tick()

    def delete_contact(self, cid: str) -> None:
        del self.contacts[cid]
        self.deleted.append([self.tick(), cid])

    def merge_contacts(self, loser: str, survivor: str) -> None:
        """``loser`` merged into ``survivor`` (the survivor is modified too)."""
        del self.contacts[loser]
        self.deleted.append([self.tick(), loser, survivor])
        self.contacts[survivor]["mod"] = self.tick()

    def fields(self, cid: str) -> dict[str, Any]:
        return dict(self.contacts[cid]["fields"])

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps(
                {
                    "contacts": self.contacts,
                    "accounts": self.accounts,
                    "activities": self.activities,
                    "deleted": self.deleted,
                    "seq": self.seq,
                    "failures": self.failures,
                    "budget": self.budget,
                    "calls": dict(self.calls),
                    "writes": self.writes,
                    "rate_limited": self.rate_limited,
                }
            ),
            encoding="utf-8",
        )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> MemoryCRM:
        d = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            contacts=d["contacts"],
            accounts=d["accounts"],
            activities=d["activities"],
            deleted=d["deleted"],
            seq=d["seq"],
            failures=d["failures"],
            budget=d["budget"],
            calls=Counter(d["calls"]),
            writes=d["writes"],
            rate_limited=bool(d.get("rate_limited")),
        )


class MemoryConnector(Connector):
    """The contract over a ``MemoryCRM``."""

    auto_create_fields = True

    def __init__(
        self,
        name: str,
        crm: MemoryCRM,
        *,
        page_size: int = 3,
        write_batch_size: int = 2,
        save_to: Path | None = None,
        kill_at: str | None = None,
        fail_at_page: int | None = None,
    ) -> None:
        self.name = name
        self.crm = crm
        self.page_size = page_size
        self.write_batch_size = write_batch_size
        self.save_to = save_to
        self.kill_at = kill_at
        self.fail_at_page = fail_at_page
        self.pages_yielded = 0
        self.write_calls = 0
        self.closed = False
        self.start_calls = Counter(crm.calls)
        self.start_429 = crm.http_429

    def _maybe_kill(self, step: str, n: int) -> None:
        if self.kill_at == f"{step}:{n}":
            os.kill(os.getpid(), signal.SIGKILL)

    def _call(self, kind: str) -> None:
        self.crm.calls[kind] += 1
        if self.save_to is not None:
            self.crm.save(self.save_to)

    def check(self) -> list[CheckItem]:
        return [CheckItem("credentials", True, "memory CRM")]

    def ensure_fields(self, create: bool, tiers: Sequence[str] = ()) -> FieldsReport:
        return FieldsReport(present=[FieldSpec("contact", f, "text") for f in FIELDS])

    def _contact_record(self, cid: str) -> ContactRecord:
        c = self.crm.contacts[cid]
        f = c["fields"]
        return ContactRecord(
            id=cid,
            kind=c["kind"],
            data=dict(c["data"]),
            account_id=c["account_id"],
            writable=c["writable"],
            crm_values=WrittenValues(
                score=f["score"], tier=f["tier"], reasons=f["reasons"], priority=f["priority"]
            ),
            modified_at=STAMP_EPOCH + timedelta(milliseconds=c["mod"]),
        )

    def changes(
        self,
        cursor: dict[str, Any] | None,
        until: datetime,
        *,
        full: bool = False,
        since: datetime | None = None,
    ) -> Iterator[Page]:
        if since is not None:
            raise FatalError("the memory CRM counts changes, it keeps no modification times")
        after = 0 if full or cursor is None else int(cursor["seq"])
        events: list[tuple[int, str, str]] = []
        events += [(a["mod"], "account", aid) for aid, a in self.crm.accounts.items()]
        events += [(c["mod"], "contact", cid) for cid, c in self.crm.contacts.items()]
        events += [(a["mod"], "activity", k) for k, a in self.crm.activities.items()]
        if not full:
            events += [(d[0], "deleted", d[1]) for d in self.crm.deleted if len(d) == 2]
            events += [(d[0], "merged", f"{d[1]}>{d[2]}") for d in self.crm.deleted if len(d) == 3]
        events = sorted(e for e in events if e[0] > after)
        for i in range(0, len(events), self.page_size):
            if i and self.usage().stop:
                raise BudgetExhausted("memory CRM: call budget spent")
            part = events[i : i + self.page_size]
            self.pages_yielded += 1
            self._maybe_kill("page", self.pages_yielded)
            if self.pages_yielded == self.fail_at_page:
                raise RetriableError("HTTP 503 from the CRM after 6 attempts")
            self._call("read")
            if self.crm.rate_limited:
                self.crm.http_429 += 1
                raise RateLimited("memory CRM: 429 Too Many Requests")
            yield Page(
                contacts=[self._contact_record(k) for _s, t, k in part if t == "contact"],
                accounts=[
                    AccountRecord(
                        id=k,
                        data=dict(self.crm.accounts[k]["data"]),
                        crm_score=self.crm.accounts[k].get("fields", {}).get("score"),
                    )
                    for _s, t, k in part
                    if t == "account"
                ],
                activities=[
                    ActivityRecord(
                        key=k,
                        contact_id=self.crm.activities[k]["contact_id"],
                        data=dict(self.crm.activities[k]["data"]),
                    )
                    for _s, t, k in part
                    if t == "activity"
                ],
                deleted_contacts=[k for _s, t, k in part if t == "deleted"],
                merged=dict(k.split(">", 1) for _s, t, k in part if t == "merged"),
                cursor={"seq": part[-1][0]},
                estimated_total=len(events),
            )

    @property
    def stop(self) -> bool:
        """The budget guard's verdict (the batcher asks it before each batch)."""
        return self.usage().stop

    def write(
        self, updates: Iterable[Update], *, before_batch: BeforeBatch | None = None
    ) -> Iterator[Sequence[WriteOutcome]]:
        batcher: Batcher[Update] = Batcher(
            BatchRules(size=self.write_batch_size),
            prepare=lambda u: u,
            ident=lambda u: u.id,
            send=self._send,
            meter=self,
        )
        return batcher.run(updates, before_batch)

    def _send(self, batch: list[Update]) -> list[WriteOutcome]:
        self.write_calls += 1
        self._maybe_kill("write-before", self.write_calls)
        if self.crm.rate_limited:
            self._call("write")
            self.crm.http_429 += 1
            raise RateLimited("memory CRM: 429 Too Many Requests")
        out: list[WriteOutcome] = []
        for u in batch:
            if isinstance(u, AccountUpdate):
                a = self.crm.accounts.get(u.id)
                if a is None:
                    out.append(WriteOutcome(u.id, "rejected", "record deleted"))
                    continue
                a["fields"] = {"score": u.score, "summary": u.summary, "priority": u.priority}
                a["mod"] = self.crm.tick()
                out.append(WriteOutcome(u.id, "ok"))
                continue
            pending = self.crm.failures.get(u.id)
            if pending:
                kind = pending.pop(0)
                if kind == "rate":
                    out.append(WriteOutcome(u.id, "retriable", "429", rate_limited=True))
                else:
                    status: Outcome = "rejected" if kind == "rejected" else "retriable"
                    out.append(WriteOutcome(u.id, status, f"injected {kind} failure"))
                continue
            c = self.crm.contacts.get(u.id)
            if c is None:
                out.append(WriteOutcome(u.id, "rejected", "record deleted"))
                continue
            c["fields"] = {
                "score": u.score,
                "tier": u.tier,
                "reasons": u.reasons,
                "priority": u.priority,
            }
            c["mod"] = self.crm.tick()
            self.crm.writes.append({"id": u.id, "score": u.score, "tier": u.tier})
            out.append(WriteOutcome(u.id, "ok"))
        self._call("write")
        self._maybe_kill("write-after", self.write_calls)
        return out

    def usage(self) -> Usage:
        calls = self.crm.calls - self.start_calls
        total = sum(self.crm.calls.values())
        left = None if self.crm.budget is None else max(0, self.crm.budget - total)
        # every simulated call is answered: 429 while rate limited, else 200
        n429 = self.crm.http_429 - self.start_429
        answers = {200: sum(calls.values()) - n429, 429: n429}
        responses = {code: n for code, n in answers.items() if n > 0}
        return Usage(
            calls=dict(calls),
            http_429=self.crm.http_429,
            responses=responses,
            budget_remaining=left,
            budget_limit=self.crm.budget,
            calls_left=left,
            stop=left is not None and left <= 0,
        )

    def close(self) -> None:
        self.closed = True
