"""One sync cycle per connector (docs/architecture.md, "One cycle"): ``run_cycle(engine, name)``.

The write-back decision lives in ``writeback.py`` (pure); the cycle in ``cycle.py`` (its order
and statuses) with its steps in ``cycle_pull.py``, ``cycle_score.py`` and ``cycle_write.py``; the
run report in ``report.py``; the wiring (settings, store, models, connector factory) in
``engine.py``.
"""

from syncd.sync.cycle import run_cycle
from syncd.sync.dry_run import DryRunSummary
from syncd.sync.engine import ConnectorFactory, Engine, utc_now
from syncd.sync.report import CycleReport, Progress

__all__ = [
    "ConnectorFactory",
    "CycleReport",
    "DryRunSummary",
    "Engine",
    "Progress",
    "run_cycle",
    "utc_now",
]
