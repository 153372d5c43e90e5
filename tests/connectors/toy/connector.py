"""The toy connector: the contract over a ``MemoryCRM``, with the kit doing the runtime
(retry policy, budget meter, stream driver, batcher). What is the toy's own: reading
the CRM's change log (``_events``), mapping records and applying one write batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from connectors.base import (
    JSON,
    AccountUpdate,
    BeforeBatch,
    CheckItem,
    Connector,
    ContactRecord,
    FatalError,
    FieldSpec,
    FieldsReport,
    Page,
    RateLimited,
    Update,
    Usage,
    WriteOutcome,
    WrittenValues,
)
from connectors.kit.batcher import Batcher, BatchRules
from connectors.kit.budget import BudgetMeter
from connectors.kit.retry import Failure, Kind, RetryPolicy
from connectors.kit.stream import drive, open_cursor
from tests.connectors.toy.options import ToyOptions
from tests.kit.memory_crm import FIELDS, MemoryCRM

#: The in-memory CRMs the toy can talk to, by ``ToyOptions.crm`` (a test fills it).
CRMS: dict[str, MemoryCRM] = {}
CURSOR_VERSION = 1


class _TooMany(Exception):
    """The toy CRM's "429"."""


class ToyConnector(Connector):
    auto_create_fields = True

    def __init__(
        self, name: str, options: ToyOptions, crm: MemoryCRM, sleep: Callable[[float], None]
    ) -> None:
        self.name = name
        self.options = options
        self.crm = crm
        self.meter = BudgetMeter(None, options.budget_share)
        self.policy = RetryPolicy(
            lambda e: Failure(Kind.RATE_LIMITED, 0.0) if isinstance(e, _TooMany) else None,
            sleep=sleep,
            max_rate_limit_waits=2,
        )
        self._batcher: Batcher[Update] = Batcher(
            BatchRules(size=options.batch_size),
            prepare=lambda u: u,
            ident=lambda u: u.id,
            send=self._send,
            meter=self.meter,
        )

    # -- calling the CRM -------------------------------------------------------------------
    def _report(self) -> None:
        """The CRM's own report of its call budget (as a CRM's response headers say)."""
        if self.crm.budget is not None:
            self.meter.report(self.crm.budget, self.crm.budget - sum(self.crm.calls.values()))

    def _call(self, kind: str, fn: Callable[[], Any]) -> Any:
        def attempt() -> Any:
            self.meter.count(kind)
            self.crm.calls[kind] += 1
            if self.crm.rate_limited:
                self.crm.http_429 += 1
                self.meter.answered(429)
                raise _TooMany()
            self.meter.answered(200)
            return fn()

        try:
            return self.policy.call(attempt)
        except _TooMany:
            raise RateLimited("toy CRM kept answering 429") from None

    # -- contract --------------------------------------------------------------------------
    def check(self) -> list[CheckItem]:
        return [CheckItem("credentials", True, "toy CRM")]

    def ensure_fields(self, create: bool, tiers: Sequence[str] = ()) -> FieldsReport:
        return FieldsReport(present=[FieldSpec("contact", f, "text") for f in FIELDS])

    def changes(
        self,
        cursor: JSON | None,
        until: datetime,
        *,
        full: bool = False,
        since: datetime | None = None,
    ) -> Iterator[Page]:
        if since is not None:
            raise FatalError("the toy CRM keeps no modification times")
        self._report()
        body = None if full else open_cursor(cursor, CURSOR_VERSION, "toy")
        after = int(body["seq"]) if body else 0

        def stage(pos: Any) -> Iterator[tuple[Page, Any]]:
            events = self._call("read", lambda: self._events(pos or after, full))
            for i in range(0, len(events), self.options.page_size):
                part = events[i : i + self.options.page_size]
                if i:
                    self._call("read", lambda: None)
                yield self._page(part), part[-1][0]

        return drive(
            [stage],
            version=CURSOR_VERSION,
            meter=self.meter,
            cursor_of=lambda _i, seq: {"seq": seq if seq is not None else after},
        )

    def _events(self, after: int, full: bool) -> list[tuple[int, str, str]]:
        events = [(c["mod"], "contact", cid) for cid, c in self.crm.contacts.items()]
        if not full:
            events += [(d[0], "gone", ">".join(d[1:])) for d in self.crm.deleted]
        return sorted(e for e in events if e[0] > after)

    def _page(self, part: list[tuple[int, str, str]]) -> Page:
        contacts = []
        for _s, t, cid in part:
            if t != "contact":
                continue
            c = self.crm.contacts[cid]
            f = c["fields"]
            contacts.append(
                ContactRecord(
                    cid,
                    c["kind"],
                    dict(c["data"]),
                    c["account_id"],
                    WrittenValues(f["score"], f["tier"], f["reasons"], f["priority"]),
                    c["writable"],
                )
            )
        gone = [k.split(">") for _s, t, k in part if t == "gone"]
        return Page(
            contacts=contacts,
            deleted_contacts=[g[0] for g in gone if len(g) == 1],
            merged={g[0]: g[1] for g in gone if len(g) == 2},
        )

    def write(
        self, updates: Iterable[Update], *, before_batch: BeforeBatch | None = None
    ) -> Iterator[Sequence[WriteOutcome]]:
        self._report()
        return self._batcher.run(updates, before_batch)

    def _send(self, batch: list[Update]) -> list[WriteOutcome]:
        return list(self._call("write", lambda: [self._apply(u) for u in batch]))

    def _apply(self, u: Update) -> WriteOutcome:
        records = self.crm.accounts if isinstance(u, AccountUpdate) else self.crm.contacts
        record = records.get(u.id)
        if record is None:
            return WriteOutcome(u.id, "rejected", "no such record", code="NOT_FOUND")
        if isinstance(u, AccountUpdate):
            record["fields"] = {"score": u.score, "summary": u.summary, "priority": u.priority}
        else:
            record["fields"] = {
                "score": u.score,
                "tier": u.tier,
                "reasons": u.reasons,
                "priority": u.priority,
            }
        record["mod"] = self.crm.tick()
        return WriteOutcome(u.id, "ok")

    def usage(self) -> Usage:
        self._report()
        return self.meter.snapshot()


def build(
    name: str, options: ToyOptions, *, clock: Callable[[], float], sleep: Callable[[float], None]
) -> Connector:
    if options.crm not in CRMS:
        raise FatalError(f"option crm: no toy CRM named {options.crm!r}")
    return ToyConnector(name, options, CRMS[options.crm], sleep)
