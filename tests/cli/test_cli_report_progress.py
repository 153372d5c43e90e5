"""Progress of `run --once` and `resync`: JSON lines on stderr when it is not
a terminal (at most one per interval while a phase advances), bars on one;
the cycle table on stdout, or JSON with --json."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from rich.console import Console

from syncd.cli import main
from syncd.cli.progress import CycleBar, JsonProgress, cycle_progress
from syncd.settings import ConnectorConfig
from syncd.sync import CycleReport
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, Clock, write_config


def _report(status: str = "ok", written: int = 7, error: str | None = None) -> CycleReport:
    at = datetime(2026, 11, 23, tzinfo=UTC)
    return CycleReport(
        connector=NAME,
        run_id="r1",
        kind="incremental",
        started_at=at,
        finished_at=at,
        status=status,
        pulled=9,
        scored=8,
        written=written,
        unchanged=1,
        write_failures=0,
        dead_letters=0,
        pending=0,
        drift_repaired=0,
        api_calls={"read": 3},
        http_429=0,
        budget_remaining=None,
        error=error,
    )


class _Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_json_progress_is_periodic_and_ends_with_the_status() -> None:
    out, ticks = io.StringIO(), _Ticks()
    p = JsonProgress(out, NAME, every=5.0, clock=ticks)
    p.phase("pull", None)
    p.advance(10)  # too soon for a line
    ticks.now += 5.0
    p.advance(10)  # 5 s later: a line
    p.phase("pull", 500)  # the total became known: a line
    ticks.now += 1.0
    p.phase("score", 20)
    p.advance(20)
    p.finish(_report(), 6.0)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [(x["phase"], x["done"], x["total"]) for x in lines] == [
        ("pull", 0, None),
        ("pull", 20, None),
        ("pull", 20, 500),
        ("score", 0, 20),
        ("finished", 20, 20),
    ]
    assert all(x["event"] == "progress" and x["connector"] == NAME for x in lines)
    assert [x["elapsed_s"] for x in lines] == [0.0, 5.0, 5.0, 6.0, 6.0]
    assert lines[-1]["status"] == "ok" and lines[-1]["written"] == 7


def test_bars_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80)
    with cycle_progress(console) as board:
        bar = board(NAME)
        assert isinstance(bar, CycleBar)
        bar.phase("write", 7)
        bar.advance(7)
        bar.finish(_report(), 1.25)
    assert f"{NAME}: ok, 7 written, 1.2s" in out.getvalue()
    with cycle_progress(Console(file=io.StringIO())) as board:  # not a terminal
        assert isinstance(board(NAME), JsonProgress)


def _invoke(crm: MemoryCRM, config: Path, *args: str) -> Result:
    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return MemoryConnector(name, crm)

    obj: dict[str, Any] = {"factory": factory, "clock": Clock()}
    return CliRunner().invoke(main, [*args, "--config", str(config)], obj=obj)


def test_run_once_and_resync_report_progress_on_stderr(tmp_path: Path) -> None:
    crm = MemoryCRM()
    seed(crm)
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    r = _invoke(crm, config, "run", "--once")
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stderr.splitlines() if x.startswith("{")]
    phases = [x["phase"] for x in lines]
    assert phases[0] == "pull" and "score" in phases and "write" in phases
    assert lines[-1]["phase"] == "finished" and lines[-1]["written"] == len(crm.contacts)
    assert "sync cycles" in r.stdout and '"event"' not in r.stdout
    # the whole table in 80 columns: the last column's header and value are there
    header = next(x for x in r.stdout.splitlines() if x.startswith("connector"))
    assert header.split()[-1] == "calls" and max(len(x) for x in r.stdout.splitlines()) <= 80

    r = _invoke(crm, config, "run", "--once", "--json")
    cycles = json.loads(r.stdout)["cycles"]
    assert [(c["connector"], c["status"], c["written"]) for c in cycles] == [(NAME, "ok", 0)]

    r = _invoke(crm, config, "resync", "--connector", NAME, "--rescore-only")
    assert r.exit_code == 0, r.output
    last = json.loads(r.stderr.splitlines()[-1])
    assert last["phase"] == "finished" and last["scored"] == len(crm.contacts)
    assert "sync cycles" in r.stdout


def test_json_goes_with_once(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    r = _invoke(MemoryCRM(), config, "run", "--json")
    assert r.exit_code == 2 and "--json goes with --once" in r.output
