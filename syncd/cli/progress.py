"""A rich progress bar that implements the cycle's ``Progress`` hook."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn


class RichProgress:
    """One bar per phase (pull, score, write); indeterminate while the total is unknown."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(TextColumn("{task.description:>6}"), BarColumn(),
                             MofNCompleteColumn(), console=console, transient=False)
        self._task: TaskID | None = None
        self._name = ""

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._bar.stop()

    def phase(self, name: str, total: int | None) -> None:
        if self._task is not None and name == self._name:
            self._bar.update(self._task, total=total)
            return
        self._name = name
        self._task = self._bar.add_task(name, total=total)

    def advance(self, n: int) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)
