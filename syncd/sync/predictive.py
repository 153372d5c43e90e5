"""The daemon's predictive scoring: a connector's ``predictive: {model: PATH}``
(a ``syncd learn`` model file) scores every contact the points model scores,
in the same chunk and as of the same moment, and the conversion probability
(0–1, rounded to 3 decimals so an unchanged contact compares equal) joins
the values written back (``writeback.desired_of``: its own CRM field and a
``"predicted conversion 23%"`` part of the reasons text).

A contact is seen exactly as ``syncd learn --connector`` saw the unconverted
ones: its canonical contact (properties, account, activities) as of ``now``.
A model trained with a points model's components (``learn --model``) is
scored with the connector's live model when that is the one it names, else
with the file it names. A model file that cannot be used fails the cycle
(``FatalError``, naming the file): dropping the probability instead would
rewrite every contact. Without ``predictive`` nothing here runs and the
verdicts are the points model's alone.

Configuring, replacing or removing the model rescores every contact in the
next cycle, as a changed points model does: ``predictive_ref`` (the file's
content hash) is kept in the connector's meta with the last full rescore.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from connectors.base import FatalError
from syncd.core import CompiledModel, Contact, ModelError, ScoreResult
from syncd.predictive.artefact import Artefact, load
from syncd.predictive.errors import InputError
from syncd.predictive.io import row_from_json
from syncd.predictive.scorer import Scorer
from syncd.predictive.table import raw_table
from syncd.state import ContactState, Scored
from syncd.sync.engine import Engine
from syncd.sync.writeback import contact_verdict

__all__ = [
    "contact_json",
    "contact_verdicts",
    "model_path",
    "predictive_changed",
    "predictive_ref",
    "probabilities",
]


def model_path(cfg: object) -> Path | None:
    """The connector's predictive model file, None when it has none."""
    found = getattr(cfg, "predictive", None)
    path = getattr(found, "model", None)
    return path if isinstance(path, Path) else None


@lru_cache(maxsize=16)
def _digest(path: str, _stamp: int) -> str:
    return "p:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def predictive_ref(app: Engine, connector: str) -> str | None:
    """The content hash of the connector's predictive model file (None: it
    has none; FatalError when the file cannot be read)."""
    path = model_path(app.config(connector))
    if path is None:
        return None
    try:
        return _digest(str(path), path.stat().st_mtime_ns)
    except OSError as exc:
        raise FatalError(f"predictive model not usable: {path}: {exc.strerror or exc}") from None


def predictive_changed(app: Engine, connector: str, last: str | None) -> bool:
    """Whether every contact must be rescored: the connector's predictive
    model is not the one (``last``) of its last full rescore."""
    return predictive_ref(app, connector) != last


@lru_cache(maxsize=16)
def _artefact(path: str, _stamp: int) -> Artefact:
    """The model at ``path``, reloaded when its stamp changes."""
    return load(Path(path))


def _scorer(
    path: Path, live: CompiledModel, load_points: Callable[[Path], CompiledModel]
) -> Scorer:
    try:
        artefact = _artefact(str(path), path.stat().st_mtime_ns)
        wanted = artefact.points_model
        if wanted is None:
            return Scorer(artefact)
        ref, points_path = wanted
        if ref == live.ref:
            return Scorer(artefact, live)
        if points_path is None:
            raise InputError(f"{path}: trained with points model {ref}, which is not the live one")
        points = load_points(Path(points_path))
        if points.ref != ref:
            raise InputError(
                f"{path}: trained with points model {ref}, but {points_path} is {points.ref}"
            )
        return Scorer(artefact, points)
    except (InputError, ModelError) as exc:
        raise FatalError(f"predictive model not usable: {exc}") from None
    except OSError as exc:
        raise FatalError(
            f"predictive model not usable: {exc.filename}: {exc.strerror or exc}"
        ) from None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def contact_json(c: Contact) -> dict[str, Any]:
    """``c`` as canonical contact JSON (what the state store exports)."""
    obj: dict[str, Any] = {"id": c.id, "properties": dict(c.properties)}
    if c.email is not None:
        obj["email"] = c.email
    if c.company is not None:
        obj["company"] = c.company
    if c.created_ts is not None:
        obj["created_at"] = _iso(c.created_ts)
    if c.account is not None:
        a = c.account
        acc: dict[str, Any] = {"properties": dict(a.properties)}
        for key, value in (("id", a.id), ("name", a.name), ("domain", a.domain)):
            if value is not None:
                acc[key] = value
        obj["account"] = acc
    obj["activities"] = [
        {**act.attrs, "type": act.type, "at": _iso(act.ts)} for act in reversed(c.activities)
    ]
    return obj


def probabilities(
    path: Path,
    live: CompiledModel,
    contacts: Sequence[Contact],
    now: datetime,
    load_points: Callable[[Path], CompiledModel],
) -> list[float]:
    """The conversion probability of each contact as of ``now``, in order,
    rounded to 3 decimals (``load_points``: the engine's model cache, for a
    model trained with a points model other than the live one)."""
    scorer = _scorer(path, live, load_points)
    source = f"predictive model {path}"
    try:
        rows = [row_from_json(contact_json(c), source, i) for i, c in enumerate(contacts, 1)]
        probs = scorer.probabilities(raw_table(rows, now.timestamp(), scorer.points, source))
    except InputError as exc:
        raise FatalError(f"predictive scoring failed: {exc}") from None
    return [round(float(p), 3) for p in probs]


def contact_verdicts(
    app: Engine,
    connector: str,
    states: Sequence[ContactState],
    contacts: Sequence[Contact],
    results: Sequence[ScoreResult],
    mql: frozenset[str],
    now: datetime,
) -> list[Scored]:
    """The write-back verdict of each scored contact (``states``, ``contacts``
    and ``results`` in the same order): with its conversion probability when
    the connector has a predictive model. Called by the cycle's scoring loop."""
    path = model_path(app.config(connector))
    probs: Sequence[float | None] = (
        [None] * len(results)
        if path is None or not results
        else probabilities(path, app.model(connector), contacts, now, app.load)
    )
    return [
        contact_verdict(sc, r, mql, now, p) for sc, r, p in zip(states, results, probs, strict=True)
    ]
