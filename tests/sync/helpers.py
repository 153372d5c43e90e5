"""Building an Engine over a MemoryCRM for the cycle tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syncd.core import contact_from_json, score_batch, summary
from syncd.modelfile import load_model
from syncd.settings import ConnectorConfig, load_settings
from syncd.state import Store
from syncd.sync import Engine
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import MODEL

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
NAME = "mem"


def write_config(tmp_path: Path, url: str, model: Path = MODEL, extra: str = "") -> Path:
    p = tmp_path / "syncd.yaml"
    p.write_text(
        f"""\
state:
  url: "{url}"
connectors:
  {NAME}:
    type: hubspot
    access_token: ${{MEM_TOKEN:-tok-secret-789}}
    model: {model}
    daily_rescore_at: "03:00"
{extra}""",
        encoding="utf-8",
    )
    return p


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_engine(
    config: Path, crm: MemoryCRM, clock: Callable[[], datetime] | None = None, **conn_kw: Any
) -> tuple[Engine, list[MemoryConnector]]:
    settings = load_settings(config, {})
    built: list[MemoryConnector] = []

    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        c = MemoryConnector(name, crm, **conn_kw)
        built.append(c)
        return c

    store = Store.open(settings.state.url)
    return Engine(settings, store, factory, clock=clock or Clock()), built


def expected_scores(store: Store, as_of: datetime, model: Path = MODEL) -> dict[str, Any]:
    """What the core computes from the stored JSON (the export), by id."""
    contacts = [contact_from_json(obj) for obj in store.export(NAME)]
    results = score_batch(load_model(model), contacts, as_of)
    return {r.id: r for r in results}


def crm_matches_core(crm: MemoryCRM, store: Store, as_of: datetime, model: Path = MODEL) -> None:
    exp = expected_scores(store, as_of, model)
    assert set(exp) == set(crm.contacts)
    for cid, r in exp.items():
        f = crm.fields(cid)
        if not crm.contacts[cid]["writable"]:
            continue
        assert (f["score"], f["tier"], f["reasons"], f["priority"]) == (
            r.score,
            r.tier,
            summary(r),
            r.priority,
        ), cid
