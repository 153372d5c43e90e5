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

The model file is read through the engine's cache (``Engine.artefacts``,
keyed by the file's content): parsed once, and again only when its content
changes. Each contact's row is built from the core's ``Contact`` directly
(``predictive.contact_rows``), the row ``learn --connector`` makes of the
stored contact's JSON.

Configuring, replacing or removing the model rescores every contact in the
next cycle, as a changed points model does: ``predictive_ref`` (the file's
content hash) is kept in the connector's meta with the last full rescore.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from connectors.base import FatalError
from syncd.core import CompiledModel, Contact, ModelError, ScoreResult
from syncd.predictive.artefact import Artefact
from syncd.predictive.cache import Loaded
from syncd.predictive.contact_rows import row_from_contact
from syncd.predictive.errors import InputError
from syncd.predictive.scorer import Scorer
from syncd.predictive.table import raw_table
from syncd.state import ContactState, Scored
from syncd.sync.engine import Engine
from syncd.sync.writeback import contact_verdict

__all__ = [
    "contact_verdicts",
    "model_path",
    "predictive_changed",
    "predictive_ref",
    "probabilities",
    "scorer_for",
    "trained_points",
]


def model_path(cfg: object) -> Path | None:
    """The connector's predictive model file, None when it has none."""
    found = getattr(cfg, "predictive", None)
    path = getattr(found, "model", None)
    return path if isinstance(path, Path) else None


def _loaded(app: Engine, path: Path) -> Loaded:
    """The model file through the engine's cache; FatalError naming it when
    it cannot be read or is not a model."""
    try:
        return app.artefacts.get(path)
    except InputError as exc:
        raise FatalError(f"predictive model not usable: {exc}") from None
    except OSError as exc:
        raise FatalError(f"predictive model not usable: {path}: {exc.strerror or exc}") from None


def predictive_ref(app: Engine, connector: str) -> str | None:
    """The content hash of the connector's predictive model file (None: it
    has none; FatalError when the file cannot be read)."""
    path = model_path(app.config(connector))
    if path is None:
        return None
    try:
        return app.artefacts.ref(path)
    except OSError as exc:
        raise FatalError(f"predictive model not usable: {path}: {exc.strerror or exc}") from None


def predictive_changed(app: Engine, connector: str, last: str | None) -> bool:
    """Whether every contact must be rescored: the connector's predictive
    model is not the one (``last``) of its last full rescore."""
    return predictive_ref(app, connector) != last


def trained_points(
    artefact: Artefact,
    path: Path,
    live: CompiledModel,
    load_points: Callable[[Path], CompiledModel],
) -> CompiledModel | None:
    """The points model whose components the model read from ``path`` was
    trained with (None: without one): the connector's ``live`` model when it
    is that one, else the points model file the model names (``load_points``:
    the engine's model cache). InputError naming the file when that file is
    not named, gone (``ModelError``, ``OSError``) or no longer the same model."""
    wanted = artefact.points_model
    if wanted is None:
        return None
    ref, points_path = wanted
    if ref == live.ref:
        return live
    if points_path is None:
        raise InputError(f"{path}: trained with points model {ref}, which is not the live one")
    points = load_points(Path(points_path))
    if points.ref != ref:
        raise InputError(
            f"{path}: trained with points model {ref}, but {points_path} is {points.ref}"
        )
    return points


def scorer_for(
    artefact: Artefact,
    path: Path,
    live: CompiledModel,
    load_points: Callable[[Path], CompiledModel],
) -> Scorer:
    """The scorer of the model read from ``path``, with the points model it
    was trained with (``trained_points``); FatalError when that cannot be had."""
    try:
        return Scorer(artefact, trained_points(artefact, path, live, load_points))
    except (InputError, ModelError) as exc:
        raise FatalError(f"predictive model not usable: {exc}") from None
    except OSError as exc:
        raise FatalError(
            f"predictive model not usable: {exc.filename}: {exc.strerror or exc}"
        ) from None


def probabilities(
    scorer: Scorer, path: Path, contacts: Sequence[Contact], now: datetime
) -> list[float]:
    """The conversion probability of each contact as of ``now``, in order,
    rounded to 3 decimals (``path``: the model file, named in errors)."""
    source = f"predictive model {path}"
    try:
        rows = [row_from_contact(c, i) for i, c in enumerate(contacts, 1)]
        probs = scorer.probabilities(raw_table(rows, now.timestamp(), scorer.points, source))
    except InputError as exc:
        raise FatalError(f"predictive scoring failed: {exc}") from None
    return [round(float(p), 3) for p in probs]


@dataclass(frozen=True, slots=True)
class Predictor:
    """The connector's predictive model as one cycle uses it: read once per
    cycle, so every chunk is scored with the same file content and the ref a
    full rescore notes (``ref``) names that content."""

    path: Path
    ref: str
    scorer: Scorer


def predictor(app: Engine, connector: str) -> Predictor | None:
    """The connector's predictive model for this cycle (None: it has none);
    FatalError naming the file when it cannot be used."""
    path = model_path(app.config(connector))
    if path is None:
        return None
    loaded = _loaded(app, path)
    return Predictor(
        path, loaded.ref, scorer_for(loaded.artefact, path, app.model(connector), app.load)
    )


def contact_verdicts(
    model: Predictor | None,
    states: Sequence[ContactState],
    contacts: Sequence[Contact],
    results: Sequence[ScoreResult],
    mql: frozenset[str],
    now: datetime,
) -> list[Scored]:
    """The write-back verdict of each scored contact (``states``, ``contacts``
    and ``results`` in the same order): with its conversion probability when
    the connector has a predictive ``model``. Called by the cycle's scoring loop."""
    probs: Sequence[float | None] = [None] * len(results)
    if model is not None and results:
        probs = probabilities(model.scorer, model.path, contacts, now)
    return [
        contact_verdict(sc, r, mql, now, p) for sc, r, p in zip(states, results, probs, strict=True)
    ]
