"""The model file: versioned JSON, read without executing anything.

    {"format": "syncd-predictive-model", "version": 1,
     "label": "Converted", "id_column": null, "time_column": null,
     "features": {"columns": [...]},             # features.FeatureSpec
     "model": {"kind": "logistic", "intercept": -1.2,
               "coefficients": {"Lead Source=Reference": 1.9, ...}},
     "training": {...}, "metrics": {...}, "excluded": [...]}

Coefficients are keyed by feature name, so a file stays readable and a
reordering cannot silently shift weights. ``load`` checks the format, the
version and every feature having a coefficient; anything else raises
``InputError`` naming the file.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from syncd.predictive.errors import InputError
from syncd.predictive.features import FeatureSpec

__all__ = ["FORMAT", "VERSION", "Artefact", "load", "parse", "save"]

FORMAT = "syncd-predictive-model"
VERSION = 1


@dataclass(frozen=True)
class Artefact:
    """A trained model: the preprocessing, the logistic weights (one per
    feature, in ``features.feature_names`` order) and what training said."""

    features: FeatureSpec
    intercept: float
    coefficients: npt.NDArray[np.float64]
    label: str
    id_column: str | None = None
    time_column: str | None = None
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    excluded: list[dict[str, str]] = field(default_factory=list)

    @property
    def points_model(self) -> tuple[str, str | None] | None:
        """(ref, path) of the points model whose components are features, if any."""
        found = self.training.get("points_model")
        if not isinstance(found, dict) or not isinstance(found.get("ref"), str):
            return None
        path = found.get("path")
        return found["ref"], path if isinstance(path, str) else None

    def to_json(self) -> dict[str, Any]:
        names = self.features.feature_names
        return {
            "format": FORMAT,
            "version": VERSION,
            "label": self.label,
            "id_column": self.id_column,
            "time_column": self.time_column,
            "features": self.features.to_json(),
            "model": {
                "kind": "logistic",
                "intercept": self.intercept,
                "coefficients": {
                    n: float(c) for n, c in zip(names, self.coefficients.tolist(), strict=True)
                },
            },
            "training": self.training,
            "metrics": self.metrics,
            "excluded": self.excluded,
        }


def save(artefact: Artefact, path: Path) -> None:
    """Write ``artefact`` to ``path`` (UTF-8 JSON); OSError propagates."""
    text = json.dumps(artefact.to_json(), indent=1, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def load(path: Path) -> Artefact:
    """The model in ``path``; InputError when it cannot be used."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read model: {exc.strerror or exc}") from None
    return parse(data, str(path))


def parse(data: bytes, path: str) -> Artefact:
    """The model in ``data``, the content of the file ``path`` (named in
    errors); InputError when it cannot be used."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a JSON model file ({exc})") from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise InputError(f'{path}: not a syncd predictive model (no "format": "{FORMAT}")')
    if obj.get("version") != VERSION:
        raise InputError(
            f"{path}: model file version {obj.get('version')!r}; this syncd reads version "
            f"{VERSION} (retrain with `syncd learn`)"
        )
    spec = FeatureSpec.from_json(obj.get("features"), path)
    model = obj.get("model")
    if not isinstance(model, dict) or model.get("kind") != "logistic":
        raise InputError(f"{path}: 'model' must be a logistic model")
    coefs = model.get("coefficients")
    if not isinstance(coefs, dict):
        raise InputError(f"{path}: 'model.coefficients' must be an object")
    weights: list[float] = []
    for name in spec.feature_names:
        value = coefs.get(name)
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise InputError(f"{path}: no finite coefficient for feature {name!r}")
        weights.append(float(value))
    intercept = model.get("intercept")
    if not isinstance(intercept, int | float) or not math.isfinite(intercept):
        raise InputError(f"{path}: 'model.intercept' must be a number")
    label = obj.get("label")
    return Artefact(
        features=spec,
        intercept=float(intercept),
        coefficients=np.asarray(weights, dtype=np.float64),
        label=str(label),
        id_column=_opt_str(obj.get("id_column")),
        time_column=_opt_str(obj.get("time_column")),
        training=dict(obj.get("training") or {}),
        metrics=dict(obj.get("metrics") or {}),
        excluded=list(obj.get("excluded") or []),
    )


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)
