"""The demo's progress bars (``syncd.sync.Progress``) with rich: one bar per connector."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
)

__all__ = ["CycleProgress", "progress_bars"]


def progress_bars(console: Console) -> Progress:
    """The demo's bar layout; finished bars stay on screen."""
    return Progress(SpinnerColumn(), TextColumn("{task.description:<44}"), BarColumn(),
                    MofNCompleteColumn(), console=console)


class CycleProgress:
    """One bar per connector: each phase (pull, score, write) restarts it with
    the phase's total (indeterminate while unknown)."""

    def __init__(self, bars: Progress, connector: str) -> None:
        self._bars = bars
        self._connector = connector
        self._task = bars.add_task(f"{connector}: starting", total=None)

    def phase(self, name: str, total: int | None) -> None:
        self._bars.reset(self._task, total=total, description=f"{self._connector}: {name}")

    def advance(self, n: int) -> None:
        self._bars.advance(self._task, n)

    def done(self, text: str) -> None:
        task = self._bars.tasks[self._task]
        total = task.total if task.total is not None else task.completed
        self._bars.update(self._task, description=f"{self._connector}: {text}", total=total,
                          completed=total)
