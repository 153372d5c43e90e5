"""The predictive model file is cached by the engine that reads it
(``Engine.artefacts``), by content: one engine parses it once across cycles
and again only when the file's content changes, and two engines reading
different files at the same path over time each see the file as it is, even
when a replacement keeps the size and the modification time."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from syncd.predictive.artefact import Artefact, parse
from syncd.predictive.cache import ArtefactCache
from syncd.settings import ConnectorConfig, load_settings
from syncd.state import Store
from syncd.sync import Engine, run_cycle
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import seed
from tests.predictive.crafted import probability, write_model
from tests.sync.helpers import NAME, Clock, make_engine, write_config

A, B = -1.0, -2.0  # two models' intercepts: same file size, different probabilities


def _config(tmp_path: Path, model: Path) -> Path:
    extra = f"    predictive: {{model: {model}}}\n"
    return write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", extra=extra)


def _probabilities(app: Engine, ids: list[str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for cid in ids:
        sc = app.store.contact(NAME, cid)
        assert sc is not None and sc.desired is not None
        out[cid] = sc.desired.probability
    return out


def _replace_keeping_the_stamp(model: Path, intercept: float) -> None:
    """Rewrite ``model`` with another model of the same size and mtime."""
    before = model.stat()
    write_model(model, intercept=intercept)
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = model.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def _touch_contact(crm: MemoryCRM, cid: str, clock: Clock, n: int) -> None:
    """A new activity: the contact is scored again in the next cycle."""
    at = (clock.now - timedelta(hours=1)).isoformat()
    crm.add_activity(f"extra:{cid}:{n}", cid, type="page_view", at=at, url="https://x.io/pricing")


def test_two_engines_see_the_file_at_the_path_as_it_is_now(tmp_path: Path) -> None:
    model = tmp_path / "conversion.json"
    write_model(model, intercept=A)
    config = _config(tmp_path, model)
    crm = MemoryCRM()
    ids = seed(crm)
    clock = Clock()
    one, _ = make_engine(config, crm, clock)
    two: Engine | None = None
    try:
        assert run_cycle(one, NAME).status == "ok"
        assert set(_probabilities(one, ids).values()) == {probability(A)}

        # another model at the same path, same size and mtime: a new engine sees it
        _replace_keeping_the_stamp(model, B)
        two, _ = make_engine(config, crm, clock)
        clock.now += timedelta(minutes=5)
        r = run_cycle(two, NAME)
        assert r.status == "ok", r.error
        assert r.rescored_all  # the file's content is the model's ref
        assert set(_probabilities(two, ids).values()) == {probability(B)}

        # ... and so does the first engine, which had parsed the old content
        clock.now += timedelta(minutes=5)
        _touch_contact(crm, ids[0], clock, 1)
        r = run_cycle(one, NAME)
        assert r.status == "ok", r.error
        assert _probabilities(one, ids[:1]) == {ids[0]: probability(B)}
        assert (one.artefacts.loads, two.artefacts.loads) == (2, 1)

        # back to the first model, stamp kept again: both engines follow
        _replace_keeping_the_stamp(model, A)
        clock.now += timedelta(minutes=5)
        r = run_cycle(two, NAME)
        assert r.status == "ok" and r.rescored_all, r.error
        assert set(_probabilities(two, ids).values()) == {probability(A)}
        assert two.artefacts.loads == 2
    finally:
        one.close()
        if two is not None:
            two.close()


def test_one_engine_parses_the_model_once_across_cycles(tmp_path: Path) -> None:
    model = tmp_path / "conversion.json"
    write_model(model, intercept=A)
    settings = load_settings(_config(tmp_path, model), {})
    crm = MemoryCRM()
    ids = seed(crm)
    clock = Clock()
    parsed: list[str] = []

    def loader(data: bytes, path: str) -> Artefact:
        parsed.append(path)
        return parse(data, path)

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return MemoryConnector(name, crm)

    app = Engine(
        settings,
        Store.open(settings.state.url),
        factory,
        clock=clock,
        artefacts=ArtefactCache(loader),
    )
    try:
        for n in range(3):
            clock.now += timedelta(minutes=5)
            _touch_contact(crm, ids[n], clock, n)
            r = run_cycle(app, NAME)
            assert r.status == "ok", r.error
            assert r.scored >= 1
        assert parsed == [str(model)]
        assert app.artefacts.loads == 1

        write_model(model, intercept=B)
        clock.now += timedelta(minutes=5)
        r = run_cycle(app, NAME)
        assert r.status == "ok" and r.rescored_all, r.error
        assert set(_probabilities(app, ids).values()) == {probability(B)}
        assert parsed == [str(model), str(model)]
    finally:
        app.close()
