"""Evaluation figures of predicted probabilities against 0/1 labels, numpy only.

``roc_auc`` (ties share ranks), ``pr_auc`` (average precision, as
scikit-learn's ``average_precision_score``), ``top_decile_lift`` (the
positive rate of the highest-scored tenth over the overall rate),
``calibration`` (mean prediction vs observed rate in equal-count bins) and
``brier``. Undefined figures (one class only) are None.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["brier", "calibration", "evaluate", "lift_curve", "pr_auc", "roc_auc", "roc_curve"]

Vector = npt.NDArray[np.float64]


def _ranks(scores: Vector) -> Vector:
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    sorted_scores = scores[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    return ranks


def roc_auc(y: Vector, p: Vector) -> float | None:
    pos = float(y.sum())
    neg = float(len(y) - pos)
    if pos == 0 or neg == 0:
        return None
    r = _ranks(p)
    return float((r[y == 1].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def roc_curve(y: Vector, p: Vector) -> tuple[Vector, Vector]:
    """False and true positive rates at every threshold, from (0, 0) to (1, 1)."""
    order = np.argsort(-p, kind="mergesort")
    ys = y[order]
    tps = np.concatenate([[0.0], np.cumsum(ys)])
    fps = np.concatenate([[0.0], np.cumsum(1 - ys)])
    return fps / max(fps[-1], 1.0), tps / max(tps[-1], 1.0)


def pr_auc(y: Vector, p: Vector) -> float | None:
    pos = float(y.sum())
    if pos == 0:
        return None
    order = np.argsort(-p, kind="mergesort")
    ys, ps = y[order], p[order]
    # one point per distinct score (ties move together)
    last = np.r_[np.diff(ps) != 0, True]
    tp = np.cumsum(ys)[last]
    k = (np.arange(1, len(ys) + 1))[last]
    precision = tp / k
    recall = tp / pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def lift_curve(y: Vector, p: Vector, bins: int = 10) -> list[float]:
    """Positive rate of each score decile (highest first) over the overall rate."""
    rate = float(y.mean()) if len(y) else 0.0
    if rate == 0:
        return []
    order = np.argsort(-p, kind="mergesort")
    return [float(part.mean()) / rate for part in np.array_split(y[order], bins) if len(part)]


def top_decile_lift(y: Vector, p: Vector) -> float | None:
    curve = lift_curve(y, p)
    return curve[0] if curve else None


def calibration(y: Vector, p: Vector, bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean predicted, observed rate, rows) per equal-count bin, lowest first."""
    order = np.argsort(p, kind="mergesort")
    out: list[tuple[float, float, int]] = []
    for idx in np.array_split(order, min(bins, len(order))):
        if len(idx):
            out.append((float(p[idx].mean()), float(y[idx].mean()), len(idx)))
    return out


def brier(y: Vector, p: Vector) -> float:
    return float(np.mean((p - y) ** 2))


def evaluate(y: Vector, p: Vector) -> dict[str, Any]:
    """Every figure, JSON-ready (rounded to 4 decimals)."""

    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 4)

    return {
        "rows": len(y),
        "positives": int(y.sum()),
        "roc_auc": r(roc_auc(y, p)),
        "pr_auc": r(pr_auc(y, p)),
        "top_decile_lift": r(top_decile_lift(y, p)),
        "brier": r(brier(y, p)) if len(y) else None,
        "calibration": [
            {"predicted": round(a, 4), "observed": round(b, 4), "rows": n}
            for a, b, n in calibration(y, p)
        ],
    }
