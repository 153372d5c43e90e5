"""The daemon with a predictive model trained with a points model that is not
the connector's live one (docs/predictive.md, "In the daemon"): the model is
applied with the points model file it names, not with the live one; when that
file changes under it (another version of the points model), the cycle fails
with one line naming both versions and writes nothing, and once the file is
back the next cycle writes what was held back. Through ``build_daemon`` on
its schedule, over the in-memory CRM."""

from __future__ import annotations

import logging
import math
import shutil
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from syncd.core import contact_from_json, score_batch
from syncd.daemon.wiring import build_daemon
from syncd.modelfile import load_model
from syncd.settings import load_settings
from syncd.sync import CycleReport, Engine, run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import MODEL, seed
from tests.predictive.crafted import write_model
from tests.sync.helpers import NAME, Clock, make_engine, write_config

SAAS = MODEL.parent / "saas.yaml"
INTERCEPT, SCALE = -1.0, 20.0  # p = sigmoid(-1 + points.exact / 20)


class Cycles:
    """The daemon's cycle function: runs ``before(n)`` then the engine's
    cycle ``n`` one minute after the previous one, and records the reports."""

    def __init__(self, engine: Engine, clock: Clock, before: Callable[[int], None]) -> None:
        self.engine, self.clock, self.before = engine, clock, before
        self.reports: list[tuple[datetime, CycleReport]] = []
        self.done = threading.Condition()

    def __call__(self, connector: str, stop: threading.Event) -> CycleReport:
        self.before(len(self.reports) + 1)
        self.clock.now += timedelta(minutes=1)
        at = self.clock.now
        report = run_cycle(self.engine, connector, stop=stop)
        with self.done:
            self.reports.append((at, report))
            self.done.notify_all()
        return report

    def wait(self, n: int) -> bool:
        with self.done:
            return self.done.wait_for(lambda: len(self.reports) >= n, timeout=60)


def _expected(engine: Engine, points: Path, at: datetime) -> dict[str, float]:
    """Each stored contact's probability with ``points``' components as of ``at``."""
    contacts = [contact_from_json(obj) for obj in engine.store.export(NAME)]
    results = score_batch(load_model(points), contacts, at)
    return {r.id: round(1.0 / (1.0 + math.exp(-(INTERCEPT + r.exact / SCALE))), 3) for r in results}


def _stored(engine: Engine, ids: list[str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for cid in ids:
        sc = engine.store.contact(NAME, cid)
        assert sc is not None and sc.desired is not None
        out[cid] = sc.desired.probability
    return out


def test_a_model_trained_with_another_points_model_uses_the_file_it_names(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    points = tmp_path / "saas.yaml"  # the points model the predictive model was trained with
    shutil.copyfile(SAAS, points)
    trained, live = load_model(points), load_model(MODEL)
    assert trained.ref != live.ref
    model = tmp_path / "conversion.json"
    write_model(
        model,
        intercept=INTERCEPT,
        column="points.exact",
        scale=SCALE,
        points=trained,
        points_path=points,
    )
    extra = f"    schedule: {{every: 1s}}\n    predictive: {{model: {model}}}\ndaemon:\n  port: 0\n"
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", extra=extra)
    crm = MemoryCRM()
    ids = seed(crm)
    clock = Clock()
    engine, _ = make_engine(config, crm, clock)
    edited = points.read_text(encoding="utf-8").replace("half_life_days: 60", "half_life_days: 45")
    changed_ref = ""
    writes: dict[int, int] = {}

    def before(n: int) -> None:
        nonlocal changed_ref
        writes[n] = len(crm.writes)
        if n == 2:  # another version of the points model, and a contact to write
            points.write_text(edited, encoding="utf-8")
            changed_ref = load_model(points).ref
            at = (clock.now - timedelta(minutes=5)).isoformat()
            crm.add_activity("extra", ids[0], type="page_view", at=at, url="https://x.io/pricing")
        elif n == 3:  # the file is back as the model was trained with it
            shutil.copyfile(SAAS, points)

    cycles = Cycles(engine, clock, before)
    try:
        daemon = build_daemon(load_settings(config, {}), engine, cycle=cycles)
        result: list[int] = []
        thread = threading.Thread(target=lambda: result.append(daemon.run(handle_signals=False)))
        with caplog.at_level(logging.WARNING):
            thread.start()
            try:
                assert cycles.wait(3)
            finally:
                daemon.request_stop("test over")
                thread.join(timeout=30)
        assert result == [0]
        _check(engine, crm, ids, cycles, writes, caplog, model, points, trained.ref, changed_ref)
    finally:
        engine.close()


def _check(
    engine: Engine,
    crm: MemoryCRM,
    ids: list[str],
    cycles: Cycles,
    writes: dict[int, int],
    caplog: pytest.LogCaptureFixture,
    model: Path,
    points: Path,
    trained_ref: str,
    changed_ref: str,
) -> None:
    engine_reports = cycles.reports

    # cycle 1: every contact's probability comes from the named file's components
    at1, first = engine_reports[0]
    assert first.status == "ok", first.error
    want = _expected(engine, SAAS, at1)
    with_live = _expected(engine, MODEL, at1)
    assert want != with_live  # the two points models tell them apart
    written = [c for c in ids if crm.contacts[c]["writable"]]
    assert {c: _stored(engine, written)[c] for c in written} == {c: want[c] for c in written}

    # cycle 2: the named file is another version now: failed, one line, nothing written
    _at2, second = engine_reports[1]
    assert second.status == "failed"
    assert second.error == (
        f"predictive model not usable: {model}: trained with points model {trained_ref}, "
        f"but {points} is {changed_ref}"
    )
    assert writes[3] == writes[2]
    failed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("cycle failed")]
    assert failed and all("\n" not in m and "Traceback" not in m for m in failed)

    # cycle 3: the file is back; the held-back contact is scored and written
    at3, third = engine_reports[2]
    assert third.status == "ok", third.error
    assert len(crm.writes) > writes[3]
    assert _stored(engine, ids[:1]) == {ids[0]: _expected(engine, SAAS, at3)[ids[0]]}
