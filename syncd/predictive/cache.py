"""The model files one holder (the daemon's engine) has loaded, by content.

``ArtefactCache.get(path)`` reads the file and returns its content digest
(``ref``, ``"p:"`` and 16 hex digits of its SHA-256) with the model parsed
from exactly those bytes. The parse is reused while the file's content stays
the same, whatever its modification time says, so a replaced file is seen at
the next ``get`` and an unchanged one is parsed once. Each path keeps only
its newest content. Nothing is shared between caches: two engines never see
each other's files.

``loads`` counts the parses (what a replaced file costs); the ``loader`` is
injected (default ``artefact.parse``), so a test can count or fail them.
Errors propagate: ``OSError`` when the file cannot be read, the loader's
``InputError`` when its content is not a model.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported only when a model is configured
    from syncd.predictive.artefact import Artefact

__all__ = ["ArtefactCache", "Loaded", "Loader", "content_ref"]

#: Parses a model file's bytes; the second argument names the file in errors.
Loader = Callable[[bytes, str], "Artefact"]


def content_ref(data: bytes) -> str:
    """The ref of a model file's content (what a connector's meta keeps)."""
    return "p:" + hashlib.sha256(data).hexdigest()[:16]


def _parse(data: bytes, path: str) -> Artefact:
    from syncd.predictive.artefact import parse

    return parse(data, path)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A model file's content ref and the model parsed from that content."""

    ref: str
    artefact: Artefact


class ArtefactCache:
    """See the module docstring. Safe to share between threads."""

    def __init__(self, loader: Loader = _parse) -> None:
        self._loader = loader
        self._kept: dict[Path, Loaded] = {}
        self._lock = threading.Lock()
        #: How many times a file's content was parsed.
        self.loads = 0

    def ref(self, path: Path) -> str:
        """The content ref of the file at ``path`` as it is now (read, not parsed)."""
        return content_ref(path.read_bytes())

    def get(self, path: Path) -> Loaded:
        """The model in ``path`` as it is now (see the module docstring)."""
        data = path.read_bytes()
        ref = content_ref(data)
        with self._lock:
            kept = self._kept.get(path)
        if kept is not None and kept.ref == ref:
            return kept
        loaded = Loaded(ref, self._loader(data, str(path)))
        with self._lock:
            self._kept[path] = loaded
            self.loads += 1
        return loaded
