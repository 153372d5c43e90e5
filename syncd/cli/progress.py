"""Progress of long commands (``run --once``, ``resync``, ``demo``), per connector.

On a terminal: one rich bar per connector, each phase (pull, score, write)
restarting it with the phase's total (indeterminate while unknown). Otherwise
(a log, a pipe, CI): one JSON line per phase change and at most one every
``every`` seconds while a phase advances, on the given stream (stderr), e.g.
``{"event": "progress", "connector": "hubspot-main", "phase": "pull",
"done": 1200, "total": 5000, "elapsed_s": 12.5}``, and a last line per
connector with its status.

Both implement ``syncd.sync.Progress`` (``phase``, ``advance``) plus
``finish(report, seconds)``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from syncd.sync import CycleReport

__all__ = ["ConnectorProgress", "CycleBar", "JsonProgress", "cycle_progress", "progress_bars"]

#: Seconds between two JSON progress lines of one phase.
EVERY_S = 5.0


class ConnectorProgress(Protocol):
    """One connector's progress: the cycle's hook and its end."""

    def phase(self, name: str, total: int | None) -> None: ...

    def advance(self, n: int) -> None: ...

    def finish(self, report: CycleReport, seconds: float) -> None: ...


def summary(report: CycleReport, seconds: float) -> str:
    """``ok, 150 written, 1.3s`` (and the error, if any)."""
    text = f"{report.status}, {report.written} written, {seconds:.1f}s"
    return f"{text}: {report.error}" if report.error else text


def progress_bars(console: Console) -> Progress:
    """The bar layout; finished bars stay on screen."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=30),
        MofNCompleteColumn(),
        console=console,
    )


class CycleBar:
    """One bar of ``bars`` for one connector."""

    def __init__(self, bars: Progress, connector: str) -> None:
        self._bars = bars
        self._connector = connector
        self._task = bars.add_task(f"{connector}: starting", total=None)

    def phase(self, name: str, total: int | None) -> None:
        self._bars.reset(self._task, total=total, description=f"{self._connector}: {name}")

    def advance(self, n: int) -> None:
        self._bars.advance(self._task, n)

    def finish(self, report: CycleReport, seconds: float) -> None:
        task = self._bars.tasks[self._task]
        total = task.total if task.total is not None else task.completed
        self._bars.update(
            self._task,
            description=f"{self._connector}: {summary(report, seconds)}",
            total=total,
            completed=total,
        )


class JsonProgress:
    """JSON progress lines for one connector on ``stream``; ``clock`` is
    monotonic seconds."""

    def __init__(
        self,
        stream: IO[str],
        connector: str,
        *,
        every: float = EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream, self._connector, self._every, self._clock = stream, connector, every, clock
        self._begun = self._last = clock()
        self._phase = "starting"
        self._total: int | None = None
        self._done = 0

    def _emit(self, **extra: object) -> None:
        now = self._clock()
        self._last = now
        line = {
            "event": "progress",
            "connector": self._connector,
            "phase": self._phase,
            "done": self._done,
            "total": self._total,
            "elapsed_s": round(now - self._begun, 1),
            **extra,
        }
        self._stream.write(json.dumps(line) + "\n")
        self._stream.flush()

    def phase(self, name: str, total: int | None) -> None:
        if name != self._phase:
            self._phase, self._done = name, 0
        self._total = total
        self._emit()

    def advance(self, n: int) -> None:
        self._done += n
        if self._clock() - self._last >= self._every:
            self._emit()

    def finish(self, report: CycleReport, seconds: float) -> None:
        self._phase = "finished"
        self._emit(
            status=report.status,
            pulled=report.pulled,
            scored=report.scored,
            written=report.written,
            error=report.error,
        )


@contextmanager
def cycle_progress(
    console: Console,
    *,
    every: float = EVERY_S,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Callable[[str], ConnectorProgress]]:
    """A factory of per-connector progress: bars when ``console`` is a
    terminal, JSON lines on its file otherwise."""
    if console.is_terminal:
        with progress_bars(console) as bars:
            yield lambda name: CycleBar(bars, name)
        return
    yield lambda name: JsonProgress(console.file, name, every=every, clock=clock)
