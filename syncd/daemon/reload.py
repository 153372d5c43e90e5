"""Config reloads (SIGHUP) over the real engine.

``LiveEngine`` holds the engine the next cycle starts with; a running cycle
keeps the engine (settings and compiled models) it started with, so a reload
never changes a cycle half-way. ``reloader`` builds the daemon's ``reload``:

1. read and validate the config again, and compile every model it names;
   any error refuses the reload (``ReloadRefused`` naming the problems) and
   the running config stays;
2. ``state`` and ``daemon`` take effect at the next restart only (the store
   and the endpoint are already open): a change there is logged and ignored;
3. a new engine on the same state store becomes current, and the daemon's
   jobs follow the new connectors and schedules. A changed model is logged
   with its old and new reference.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

from syncd.core import CompiledModel, ModelError
from syncd.daemon.report import CycleResult
from syncd.daemon.service import ConnectorGone, JobSpec, Reload, ReloadRefused
from syncd.daemon.wiring import job_specs
from syncd.modelfile import load_model
from syncd.settings import ConfigError, Settings
from syncd.sync import Engine, run_cycle

__all__ = ["LiveEngine", "reloader"]

log = logging.getLogger("syncd.daemon")

#: Sections a reload cannot apply: the state store and the endpoint are open.
RESTART_ONLY = ("state", "daemon")
#: Problems quoted in a refusal (the rest are counted).
QUOTED = 5


class LiveEngine:
    """The engine for the cycles that start from now on."""

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.Lock()
        self._engine = engine

    @property
    def current(self) -> Engine:
        with self._lock:
            return self._engine

    def replace(self, engine: Engine) -> None:
        with self._lock:
            self._engine = engine

    def cycle(self, connector: str, stop: threading.Event) -> CycleResult:
        """One cycle on the current engine; ``ConnectorGone`` when a reload removed it."""
        engine = self.current
        if connector not in engine.settings.connectors:
            raise ConnectorGone(connector)
        return run_cycle(engine, connector, stop=stop)


def _refusal(problems: list[str]) -> ReloadRefused:
    quoted = "; ".join(problems[:QUOTED])
    more = f" (and {len(problems) - QUOTED} more)" if len(problems) > QUOTED else ""
    return ReloadRefused(f"{len(problems)} error(s): {quoted}{more}")


def _compile_all(settings: Settings) -> dict[str, CompiledModel]:
    models: dict[str, CompiledModel] = {}
    problems: list[str] = []
    for name, cfg in settings.connectors.items():
        try:
            models[name] = load_model(cfg.model)
        except ModelError as exc:
            problems.extend(f"connector {name}: {issue}" for issue in exc.issues)
    if problems:
        raise _refusal(problems)
    return models


def reloader(
    live: LiveEngine,
    load: Callable[[], Settings],
    *,
    on_settings: Callable[[Settings], None] = lambda _s: None,
) -> Reload:
    """The daemon's ``reload``: ``load()`` reads the config (``ConfigError``
    when it is invalid); ``on_settings`` sees the new settings before they are
    used (the service teaches its log redactor the new secrets there)."""

    def reload() -> list[JobSpec]:
        try:
            new = load()
        except ConfigError as exc:
            raise _refusal([str(issue) for issue in exc.issues]) from None
        models = _compile_all(new)
        old_engine = live.current
        old = old_engine.settings
        for section in RESTART_ONLY:
            if getattr(new, section) != getattr(old, section):
                log.warning(
                    "%s settings changed: they take effect at the next restart",
                    section,
                    extra={"event": "reload_needs_restart", "section": section},
                )
        new = new.model_copy(update={section: getattr(old, section) for section in RESTART_ONLY})
        on_settings(new)
        for name, model in models.items():
            before = old_engine.models.get(name)
            if before is not None and before.ref != model.ref:
                log.info(
                    "model changed from %s to %s",
                    before.ref,
                    model.ref,
                    extra={
                        "connector": name,
                        "event": "model_changed",
                        "model_from": before.ref,
                        "model_to": model.ref,
                    },
                )
        # same store, factory, clock and owner; new settings, models loaded afresh
        live.replace(dataclasses.replace(old_engine, settings=new, models={}, _stamps={}))
        return job_specs(new)

    return reload
