"""The engine's wiring: settings, state store, compiled models and a connector
factory, bundled so that a cycle needs only a connector name.

The factory is injected (the CLI builds real connectors; tests and the demo
pass clocks, sleeps and sessions through their own factories). Connectors live
as long as the engine: each is built once, on first use, and closed by
``close``; what a connector verified (a passed field check) is kept here, for
every connector, until a cycle learns that it no longer holds.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from connectors.base import Connector, FieldsReport
from syncd.core import CompiledModel
from syncd.core.routing import Router, build_router, single_router
from syncd.modelfile import load_model
from syncd.predictive.cache import ArtefactCache
from syncd.redact import configured_secrets
from syncd.settings import ConnectorConfig, Settings
from syncd.state import Store

__all__ = ["ConnectorFactory", "Engine", "utc_now"]

ConnectorFactory = Callable[[str, ConnectorConfig], Connector]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _content_stamp(path: Path, attachments: Sequence[str]) -> str:
    """A digest of the model file at ``path`` and of its ``attachments`` (names
    relative to its folder); a file that cannot be read counts as absent."""
    digest = hashlib.sha256()
    for file in (path, *(path.parent / name for name in attachments)):
        try:
            data = file.read_bytes()
        except OSError:
            digest.update(b"\x00absent")
            continue
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


@dataclass
class Engine:
    """Everything a cycle needs. ``models`` caches compiled models by connector;
    ``artefacts`` the predictive model files by content (``ArtefactCache``)."""

    settings: Settings
    store: Store
    factory: ConnectorFactory
    clock: Callable[[], datetime] = utc_now
    owner: str = field(default_factory=_owner)
    models: dict[str, CompiledModel] = field(default_factory=dict)
    artefacts: ArtefactCache = field(default_factory=ArtefactCache, repr=False)
    _stamps: dict[str, str] = field(default_factory=dict, repr=False)
    _connectors: dict[str, Connector] = field(default_factory=dict, repr=False)
    _fields: dict[str, tuple[tuple[str, ...], FieldsReport]] = field(
        default_factory=dict, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(
        cls, settings: Settings, factory: ConnectorFactory, clock: Callable[[], datetime] = utc_now
    ) -> Engine:
        """An engine on the configured state store (migrated on open)."""
        store = Store.open(
            settings.state.url, settings.state.lock_lease, secrets=configured_secrets(settings)
        )
        return cls(settings, store, factory, clock=clock)

    def config(self, connector: str) -> ConnectorConfig:
        return self.settings.connectors[connector]

    def model(self, connector: str) -> CompiledModel:
        """The connector's compiled model (raises ``ModelError``), reloaded when
        the model file changed on disk since it was loaded (a long-running
        process picks up an edited model at its next cycle)."""
        model = self.models[connector] = self.load(self.config(connector).model)
        return model

    def router(self, connector: str) -> Router:
        """The connector's routes to its models (``models:``; one route for
        ``model:``), each model reloaded like ``model`` (raises ``ModelError``)."""
        cfg = self.config(connector)
        if not cfg.models:
            return single_router(self.model(connector))
        return build_router([(r.when, self.load(r.model)) for r in cfg.models])

    def load(self, path: Path) -> CompiledModel:
        """The compiled model at ``path`` (raises ``ModelError``), cached until
        the content of the file or of one of its attachments (the priority
        accounts CSV next to it) changes on disk."""
        key = f"path:{path}"
        cached = self.models.get(key)
        names = tuple(cached.spec.attachments) if cached is not None else ()
        stamp = _content_stamp(path, names)
        if cached is None or self._stamps.get(key) != stamp:
            model = load_model(path)
            if tuple(model.spec.attachments) != names:
                stamp = _content_stamp(path, tuple(model.spec.attachments))
            self.models[key], self._stamps[key] = model, stamp
        return self.models[key]

    def connector(self, name: str) -> Connector:
        """The connector ``name``, built on first use and kept until ``close``."""
        with self._lock:
            conn = self._connectors.get(name)
            if conn is None:
                conn = self._connectors[name] = self.factory(name, self.config(name))
            return conn

    def ensure_fields(self, name: str, create: bool, tiers: Sequence[str]) -> FieldsReport:
        """``ensure_fields`` of connector ``name``, asked once: a passed check for the
        same tiers is kept (no CRM calls) until ``forget_fields``."""
        key = tuple(tiers)
        with self._lock:
            kept = self._fields.get(name)
        if kept is not None and kept[0] == key:
            return kept[1]
        report = self.connector(name).ensure_fields(create=create, tiers=tiers)
        with self._lock:
            if report.ok:
                self._fields[name] = (key, FieldsReport(present=[*report.present, *report.created]))
            else:
                self._fields.pop(name, None)
        return report

    def forget_fields(self, name: str) -> None:
        """A cycle learnt that a field check of ``name`` no longer holds."""
        with self._lock:
            self._fields.pop(name, None)

    def close(self) -> None:
        """Close every connector built, then the state store."""
        with self._lock:
            built, self._connectors = list(self._connectors.values()), {}
        try:
            for conn in built:
                conn.close()
        finally:
            self.store.close()
