"""Hand-made model files for the daemon's predictive tests: one numeric
column and its weight, so the probability each contact must get is known
without learning anything."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from syncd.core import CompiledModel
from syncd.predictive.artefact import Artefact, save
from syncd.predictive.features import Column, FeatureSpec


def write_model(
    path: Path,
    *,
    intercept: float,
    column: str = "nothing.here",
    weight: float = 1.0,
    scale: float = 1.0,
    points: CompiledModel | None = None,
    points_path: Path | None = None,
) -> None:
    """A logistic model on one numeric ``column`` (divided by ``scale``)
    written to ``path``; trained with ``points`` (and its file) when given.
    The default column is in no contact: every probability is then
    ``sigmoid(intercept)``."""
    training: dict[str, object] = {}
    if points is not None:
        shown = None if points_path is None else str(points_path)
        training["points_model"] = {"ref": points.ref, "path": shown}
    artefact = Artefact(
        features=FeatureSpec((Column(name=column, kind="numeric", mean=0.0, std=scale),)),
        intercept=intercept,
        coefficients=np.asarray([weight], dtype=np.float64),
        label="converted",
        training=training,
    )
    save(artefact, path)


def probability(intercept: float, value: float = 0.0, weight: float = 1.0) -> float:
    """What the daemon writes for a contact: the logistic, at 3 decimals."""
    return round(1.0 / (1.0 + math.exp(-(intercept + weight * value))), 3)
