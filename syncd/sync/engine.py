"""The engine's wiring: settings, state store, compiled models and a connector
factory, bundled so that a cycle needs only a connector name.

The factory is injected (the CLI builds real connectors; tests and the demo
pass clocks, sleeps and sessions through their own factories).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from connectors.base import Connector
from syncd.core import CompiledModel
from syncd.modelfile import load_model
from syncd.redact import configured_secrets
from syncd.settings import ConnectorConfig, Settings
from syncd.state import Store

__all__ = ["ConnectorFactory", "Engine", "utc_now"]

ConnectorFactory = Callable[[str, ConnectorConfig], Connector]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Engine:
    """Everything a cycle needs. ``models`` caches compiled models by connector."""

    settings: Settings
    store: Store
    factory: ConnectorFactory
    clock: Callable[[], datetime] = utc_now
    owner: str = field(default_factory=_owner)
    models: dict[str, CompiledModel] = field(default_factory=dict)
    _stamps: dict[str, int] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, settings: Settings, factory: ConnectorFactory,
             clock: Callable[[], datetime] = utc_now) -> Engine:
        """An engine on the configured state store (migrated on open)."""
        store = Store.open(settings.state.url, settings.state.lock_lease,
                           secrets=configured_secrets(settings))
        return cls(settings, store, factory, clock=clock)

    def config(self, connector: str) -> ConnectorConfig:
        return self.settings.connectors[connector]

    def model(self, connector: str) -> CompiledModel:
        """The connector's compiled model (raises ``ModelError``), reloaded when
        the model file changed on disk since it was loaded (a long-running
        process picks up an edited model at its next cycle)."""
        path = self.config(connector).model
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            stamp = -1  # load_model reports the missing file
        if connector not in self.models or self._stamps.get(connector) != stamp:
            self.models[connector] = load_model(path)
            self._stamps[connector] = stamp
        return self.models[connector]

    def connector(self, name: str) -> Connector:
        return self.factory(name, self.config(name))

    def close(self) -> None:
        self.store.close()
