"""What ``/readyz`` and ``/healthz`` report. Thread-safe: cycles finish on
scheduler threads and reloads on their own thread while the HTTP thread reads.

* Ready means "able to run cycles": the config is loaded and the state store
  answers. A CRM outage does not make syncd unready (restarting it or taking
  it out of a load balancer would not help); it shows in each connector's
  details and in the metrics instead.
* A stalled connector (a cycle running past what its ``cycle_budget`` allows, see
  ``syncd.daemon.stall``) makes syncd unready: a wedged connector is what a restart
  can cure. ``checks["connectors"]`` (present only then) names it, and its own entry
  says why.
* ``details()`` (``/healthz``) adds the latest cycle outcome per connector and
  the outcome of the latest config reload.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Returns None when the state store answers, else a short reason (no secret).
StateProbe = Callable[[], str | None]
#: Returns the stalled connectors, each with a one-line reason.
StallProbe = Callable[[], Mapping[str, str]]


def _no_stalls() -> Mapping[str, str]:
    return {}


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    checks: dict[str, str]  # check name -> "ok" or the reason it fails
    connectors: dict[str, str]  # connector -> "ok" or what its latest cycle said


class Health:
    """Latest cycle outcome per connector, the latest reload, and the readiness verdict."""

    def __init__(
        self,
        connectors: Iterable[str],
        state_probe: StateProbe,
        stalls: StallProbe = _no_stalls,
    ) -> None:
        self._stalls = stalls
        self._lock = threading.Lock()
        self._last: dict[str, str] = dict.fromkeys(connectors, "none")
        self._errors: dict[str, str] = {}
        self._probe = state_probe
        self._reload: dict[str, str] = {"status": "none"}

    def cycle_finished(self, connector: str, status: str, error: str | None) -> None:
        """Remember ``status`` (``ok``, ``failed``, ``stopped``, ``skipped``; ``error``
        when it raised)."""
        with self._lock:
            if status in ("stopped", "skipped"):
                # an interrupted cycle, or one another replica ran, says nothing new
                return
            self._last[connector] = status
            if error:
                self._errors[connector] = error
            else:
                self._errors.pop(connector, None)

    def set_connectors(self, connectors: Iterable[str]) -> None:
        """The configured connectors changed (a reload): keep what is known of
        those that stay, forget the removed ones."""
        names = list(connectors)
        with self._lock:
            self._last = {n: self._last.get(n, "none") for n in names}
            self._errors = {n: e for n, e in self._errors.items() if n in self._last}

    def reloaded(self, status: str, reason: str = "") -> None:
        """Remember the latest reload: ``ok`` or ``refused`` (with the reason)."""
        with self._lock:
            self._reload = {"status": status, **({"reason": reason} if reason else {})}

    def last_status(self, connector: str) -> str:
        with self._lock:
            return self._last.get(connector, "none")

    def readiness(self) -> Readiness:
        checks: dict[str, str] = {"config": "ok"}
        try:
            problem = self._probe()
        except Exception as exc:  # a probe must not take the endpoint down
            problem = f"{type(exc).__name__}"
        checks["state"] = problem or "ok"
        stalled = dict(self._stalls())
        if stalled:
            checks["connectors"] = f"stalled: {', '.join(sorted(stalled))}"
        with self._lock:
            connectors = {name: self._describe(name) for name in sorted(self._last)}
        connectors.update(stalled)
        return Readiness(all(v == "ok" for v in checks.values()), checks, connectors)

    def details(self) -> dict[str, Any]:
        """The ``/healthz`` body: readiness, each connector's latest cycle, the latest reload."""
        verdict = self.readiness()
        with self._lock:
            reload = dict(self._reload)
            last = dict(self._last)
        return {
            "status": "ok",
            "ready": verdict.ready,
            "checks": verdict.checks,
            "connectors": {
                name: {"last_cycle": last.get(name, "none"), "detail": detail}
                for name, detail in verdict.connectors.items()
            },
            "reload": reload,
        }

    def _describe(self, name: str) -> str:
        status = self._last.get(name, "none")
        if status not in ("failed", "error"):
            return "ok"
        reason = self._errors.get(name, "")
        return f"last cycle {status}" + (f": {reason}" if reason else "")
