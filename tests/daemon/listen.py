"""Waiting on the daemon's scheduler: a listener that counts finished jobs."""

from __future__ import annotations

import threading

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobEvent

from syncd.daemon import Daemon


class Handled:
    """Counts the daemon's finished jobs once its own listener handled them
    (APScheduler calls listeners in the order they were added, on one thread):
    once ``wait`` returns True, the metrics and readiness of those jobs are in."""

    def __init__(self, daemon: Daemon) -> None:
        self.done: dict[str, int] = {}
        self.cond = threading.Condition()
        daemon.scheduler.scheduler.add_listener(self._on, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _on(self, event: JobEvent) -> None:
        with self.cond:
            self.done[event.job_id] = self.done.get(event.job_id, 0) + 1
            self.cond.notify_all()

    def wait(self, connector: str, n: int, timeout: float = 10.0) -> bool:
        """True once ``connector``'s job finished ``n`` times; False after ``timeout``."""
        with self.cond:
            return self.cond.wait_for(lambda: self.done.get("sync:" + connector, 0) >= n, timeout)
