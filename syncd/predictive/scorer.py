"""Probabilities and explanations from a model file, with numpy only.

    scorer = Scorer(artefact)
    for p in scorer.score(rows, now):
        p.id, p.probability, p.top    # top: the columns that moved it most

A column's contribution is the sum of its features' weight x value (values
are standardised, so 0 is the training average): positive pushes the
probability up. ``top`` lists the ``TOP`` largest by size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from syncd.core import CompiledModel
from syncd.predictive.artefact import Artefact
from syncd.predictive.io import Row
from syncd.predictive.table import raw_table

__all__ = ["TOP", "Contribution", "Prediction", "Scorer"]

TOP = 3


@dataclass(frozen=True, slots=True)
class Contribution:
    feature: str
    value: Any
    contribution: float

    def to_json(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, str) and len(value) > 80:
            value = value[:79] + "…"
        elif isinstance(value, float):
            value = round(value, 4)
        return {
            "feature": self.feature,
            "value": value,
            "contribution": round(self.contribution, 4),
        }


@dataclass(frozen=True, slots=True)
class Prediction:
    id: str
    probability: float
    top: tuple[Contribution, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "probability": round(self.probability, 6),
            "top": [c.to_json() for c in self.top],
        }

    def reasons(self) -> str:
        """A short text: the probability and its strongest reasons."""
        parts = [f"{c.feature} {c.contribution:+.2f}" for c in self.top]
        return f"p={self.probability:.2f}: " + ", ".join(parts)


class Scorer:
    """Applies one artefact (read-only after construction)."""

    def __init__(self, artefact: Artefact, points: CompiledModel | None = None) -> None:
        """``points``: the points model whose components the artefact was
        trained with (``artefact.points_ref``), when it was."""
        self.artefact = artefact
        self.points = points
        self._slices = artefact.features.slices()
        self._names = [c.name for c in artefact.features.columns]

    def probabilities(self, raws: Sequence[dict[str, Any]]) -> npt.NDArray[np.float64]:
        x = self.artefact.features.transform(raws)
        return self._sigmoid(x @ self.artefact.coefficients + self.artefact.intercept)

    @staticmethod
    def _sigmoid(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))
        return out

    def score(
        self, rows: Sequence[Row], now: float | None, source: str = "<input>"
    ) -> list[Prediction]:
        """One prediction per row, in order; ``now`` is the moment rows
        without a decision point of their own are seen as of; ``source``
        names the input in errors."""
        raws = raw_table(rows, now, self.points, source)
        x = self.artefact.features.transform(raws)
        weighted = x * self.artefact.coefficients
        probs = self._sigmoid(weighted.sum(axis=1) + self.artefact.intercept)
        per_column = np.stack([weighted[:, a:b].sum(axis=1) for a, b in self._slices], axis=1)
        k = min(TOP, per_column.shape[1])
        out: list[Prediction] = []
        for i, row in enumerate(rows):
            contrib = per_column[i]
            best = np.argsort(-np.abs(contrib), kind="mergesort")[:k]
            top = tuple(
                Contribution(self._names[j], raws[i].get(self._names[j]), float(contrib[j]))
                for j in best
                if contrib[j] != 0.0
            )
            out.append(Prediction(row.id, float(probs[i]), top))
        return out
