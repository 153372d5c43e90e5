"""Replace a model only with one at least as good: the champion check.

``challenge(old, result, points)`` scores the new model's held-out rows (the
newest period under a time split) with the old model too and compares
ROC-AUC on exactly those rows. The new model wins ties. An old model that
cannot score them (it was trained with another points model) loses: it can
no longer be applied as it was trained.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from syncd.core import CompiledModel
from syncd.predictive.artefact import Artefact
from syncd.predictive.metrics import roc_auc
from syncd.predictive.scorer import Scorer
from syncd.predictive.train import Result

__all__ = ["Verdict", "challenge"]


@dataclass(frozen=True, slots=True)
class Verdict:
    replace: bool
    new_auc: float | None
    old_auc: float | None
    reason: str


def challenge(old: Artefact, result: Result, points: CompiledModel | None) -> Verdict:
    """Whether ``result``'s model should replace ``old`` (see the module docstring)."""
    y = np.asarray([h[1] for h in result.holdout], dtype=np.float64)
    new = roc_auc(y, np.asarray([h[2] for h in result.holdout], dtype=np.float64))
    wanted = old.points_model
    if wanted is not None and (points is None or points.ref != wanted[0]):
        return Verdict(True, new, None, f"the old model needs points model {wanted[0]}")
    old_points = points if wanted is not None else None
    preds = Scorer(old, old_points).score(result.holdout_rows, result.now)
    previous = roc_auc(y, np.asarray([p.probability for p in preds], dtype=np.float64))
    if previous is None or new is None:
        return Verdict(True, new, previous, "no ROC-AUC to compare on the held-out rows")
    if new >= previous:
        return Verdict(True, new, previous, f"held-out ROC-AUC {new:.4f} ≥ {previous:.4f}")
    return Verdict(False, new, previous, f"held-out ROC-AUC {new:.4f} < {previous:.4f}")
