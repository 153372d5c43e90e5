"""The cycle's wall-clock budget: a cycle that runs past ``cycle_budget`` stops at the
next page boundary, keeps what it committed, says why, and the next cycle goes on."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from syncd.settings import ConfigError, load_settings
from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, NOW, Clock, crm_matches_core, make_engine, write_config


class StepClock(Clock):
    """Every reading is ``step`` later than the one before (a slow cycle)."""

    def __init__(self, step: timedelta) -> None:
        super().__init__(NOW)
        self.step = step

    def __call__(self) -> datetime:
        now = self.now
        self.now += self.step
        return now


def test_a_cycle_past_its_budget_stops_at_a_page_and_keeps_it(
    tmp_path: Path, state_url: str
) -> None:
    crm = MemoryCRM()
    seed(crm)
    config = write_config(tmp_path, state_url, extra="    cycle_budget: 10m\n")
    clock = StepClock(timedelta(minutes=2))
    app, _ = make_engine(config, crm, clock=clock)
    r = run_cycle(app, NAME)
    assert r.status == "stopped"
    assert "cycle_budget" in (r.error or "") and "0:10:00" in (r.error or "")
    assert r.pulled > 0 and crm.writes == []
    cursor = app.store.meta(NAME).cursor
    assert cursor is not None  # the pages committed before the stop stand
    app.close()

    app, _ = make_engine(config, crm, clock=Clock(clock.now))
    r = run_cycle(app, NAME)
    assert r.status == "ok"
    crm_matches_core(crm, app.store, clock.now)
    app.close()


@pytest.mark.parametrize(
    ("value", "message"),
    [("30s", "at least 1m"), ("2d", "at most 1d")],
)
def test_the_cycle_budget_is_bounded(tmp_path: Path, value: str, message: str) -> None:
    config = write_config(tmp_path, "sqlite:///x.db", extra=f"    cycle_budget: {value}\n")
    with pytest.raises(ConfigError, match=message):
        load_settings(config, {})
