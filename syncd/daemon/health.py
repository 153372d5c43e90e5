"""What ``/readyz`` reports: config loaded, state reachable, no connector's
latest cycle failed. Thread-safe: cycles finish on scheduler threads while the
HTTP thread reads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: Returns None when the state store answers, else a short reason (no secret).
StateProbe = Callable[[], str | None]


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    checks: dict[str, str]  # check name -> "ok" or the reason it fails


class Health:
    """Latest cycle outcome per connector, and the readiness verdict."""

    def __init__(self, connectors: Iterable[str], state_probe: StateProbe) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, str] = dict.fromkeys(connectors, "none")
        self._errors: dict[str, str] = {}
        self._probe = state_probe

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
        with self._lock:
            for name, status in sorted(self._last.items()):
                if status in ("failed", "error"):
                    reason = self._errors.get(name, "")
                    checks[f"connector:{name}"] = f"last cycle {status}" + (
                        f": {reason}" if reason else "")
                else:
                    checks[f"connector:{name}"] = "ok"
        return Readiness(all(v == "ok" for v in checks.values()), checks)
