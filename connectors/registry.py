"""The connector registry: which CRMs this installation can talk to.

A connector package registers itself with one entry point in the ``syncd.connectors``
group of its distribution's metadata, naming a ``ConnectorType``::

    [project.entry-points."syncd.connectors"]
    hubspot = "connectors.hubspot.registration:CONNECTOR"

The entry point's name is the ``type`` a config file writes (``type: hubspot``). The
``ConnectorType`` declares the package's options model (the keys under
``connectors.NAME``, pure pydantic), its builder (``build(name, options, *, clock,
sleep) -> Connector``) and its ``limits`` module. Settings build the connector union
from here and the CLI builds connectors through here: adding a CRM touches no central
file.

``available()`` reads the entry points once. ``refresh()`` reads them again: the
documented hook for a distribution added to ``sys.path`` while the process runs (a test
registering a toy connector through a temporary ``*.dist-info``).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from pydantic import BaseModel

from connectors.base import Connector, FatalError

__all__ = ["ENTRY_POINT_GROUP", "Builder", "ConnectorType", "available", "lookup", "refresh"]

ENTRY_POINT_GROUP = "syncd.connectors"


class Builder(Protocol):
    """A connector package's factory; ``clock`` (epoch seconds) and ``sleep`` drive its
    pacing, token expiry and retries."""

    def __call__(
        self,
        name: str,
        options: Any,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> Connector: ...


@dataclass(frozen=True, slots=True)
class ConnectorType:
    """What a connector package declares."""

    #: The config's ``type`` (the entry point's name).
    name: str
    #: The CRM's name for people (``HubSpot``); the settings class is ``<label>ConnectorConfig``.
    label: str
    #: The options model: every key of ``connectors.NAME`` but the engine's own.
    options: type[BaseModel]
    #: The builder, as ``"module:function"`` (imported only when a connector is built,
    #: so reading the config never loads a CRM's SDK) or the function itself.
    builder: str | Builder
    #: The package's documented API limits (``limits.py``), for its fake and docs.
    limits: ModuleType | None = None

    def build(
        self,
        name: str,
        options: Any,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> Connector:
        """A connector of this type (``options`` validated by ``self.options``)."""
        builder = self.builder
        if isinstance(builder, str):
            module, _, attr = builder.partition(":")
            builder = getattr(importlib.import_module(module), attr)
        conn: Connector = builder(name, options, clock=clock, sleep=sleep)
        return conn


_lock = threading.Lock()
_types: dict[str, ConnectorType] | None = None


def _load() -> dict[str, ConnectorType]:
    found: dict[str, ConnectorType] = {}
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        declared = entry.load()
        if not isinstance(declared, ConnectorType) or declared.name != entry.name:
            raise TypeError(
                f"entry point {entry.name} = {entry.value} ({ENTRY_POINT_GROUP}) must name a "
                f"ConnectorType whose name is {entry.name!r}"
            )
        found.setdefault(entry.name, declared)
    return dict(sorted(found.items()))


def available() -> dict[str, ConnectorType]:
    """Every registered connector type by name (read once per process)."""
    global _types
    with _lock:
        if _types is None:
            _types = _load()
        return dict(_types)


def refresh() -> dict[str, ConnectorType]:
    """Read the entry points again (after a distribution was added in-process)."""
    global _types
    with _lock:
        _types = _load()
        return dict(_types)


def lookup(name: str) -> ConnectorType:
    """The connector type ``name``; ``FatalError`` naming the installed ones."""
    types = available()
    if name not in types:
        known = ", ".join(types) or "none"
        raise FatalError(f"connector type {name!r} is not installed (installed: {known})")
    return types[name]
