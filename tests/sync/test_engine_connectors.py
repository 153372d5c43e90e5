"""The engine's side of the connector contract: one connector for the engine's life,
the passed field check kept across cycles (and forgotten when a write says a field
is missing), writes handed over as one ordered stream whose outcomes are recorded a
CRM batch at a time, and the one hook each batch passes before it is sent."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from connectors.base import (
    FIELD_MISSING,
    BeforeBatch,
    FieldsReport,
    Update,
    WriteOutcome,
)
from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, make_engine, write_config


class Watched(MemoryConnector):
    """The memory connector, counting field checks and watching each batch's hook."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.ensures = 0
        self.missing_field_once = False

    def ensure_fields(self, create: bool, tiers: Sequence[str] = ()) -> FieldsReport:
        self.ensures += 1
        return super().ensure_fields(create, tiers)

    def write(
        self, updates: Iterable[Update], *, before_batch: BeforeBatch | None = None
    ) -> Iterator[Sequence[WriteOutcome]]:
        for outcomes in super().write(updates, before_batch=before_batch):
            if self.missing_field_once:
                self.missing_field_once = False
                outcomes = [
                    WriteOutcome(o.id, "rejected", "field gone", code=FIELD_MISSING)
                    for o in outcomes
                ]
            yield outcomes


def test_one_connector_per_engine_and_the_field_check_is_kept(
    tmp_path: Path, state_url: str
) -> None:
    crm = MemoryCRM()
    seed(crm)
    built: list[Watched] = []
    app, _ = make_engine(write_config(tmp_path, state_url), crm)

    def factory(name: str, _cfg: object) -> Watched:
        built.append(Watched(name, crm))
        return built[-1]

    app.factory = factory
    assert run_cycle(app, NAME).status == "ok"
    assert run_cycle(app, NAME).status == "ok"
    assert len(built) == 1 and built[0].ensures == 1 and not built[0].closed
    cid = next(iter(crm.contacts))
    crm.edit_fields(cid, score=-999)  # drift: the next cycle writes once
    built[0].missing_field_once = True
    r3 = run_cycle(app, NAME)
    assert r3.write_failures == 1
    run_cycle(app, NAME)
    assert built[0].ensures == 2  # the write said a field is missing: checked again
    app.close()
    assert built[0].closed


def test_outcomes_are_recorded_batch_by_batch_before_the_next_batch(
    tmp_path: Path, state_url: str
) -> None:
    crm = MemoryCRM()
    seed(crm)
    app, built = make_engine(write_config(tmp_path, state_url), crm, write_batch_size=3)
    pending: list[int] = []
    hook = app.store.counts

    def run() -> None:
        conn = app.connector(NAME)
        original = conn.write

        def write(
            updates: Iterable[Update], *, before_batch: BeforeBatch | None = None
        ) -> Iterator[Sequence[WriteOutcome]]:
            def watched() -> None:
                pending.append(hook(NAME).pending)
                if before_batch is not None:
                    before_batch()

            return original(updates, before_batch=watched)

        conn.write = write  # type: ignore[method-assign]
        report = run_cycle(app, NAME)
        assert report.status == "ok" and report.written > 6

    run()
    contact_batches = [n for n in pending if n > 0]
    # each batch of 3 was recorded before the next one was sent
    assert contact_batches == sorted(contact_batches, reverse=True)
    assert all(a - b == 3 for a, b in itertools.pairwise(contact_batches) if b > 0)
    assert len(built) == 1
    app.close()
