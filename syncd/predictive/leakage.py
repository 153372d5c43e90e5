"""The leakage guard: features that tell the outcome instead of predicting it.

Two checks, each naming the column: ``KNOWN_LEAKY`` lists what CRMs set at or
after conversion (lifecycle stage, lead status, converted flags and dates,
deal and opportunity stages, won/closed flags), matched on the column name
with case, spaces and punctuation ignored; and ``separation`` flags a column
that alone separates the outcome almost perfectly (single-feature ROC-AUC,
either direction, at least ``THRESHOLD``, over all rows or over the rows
where the column is filled in). A flagged column is excluded
unless the operator keeps it (``syncd learn --keep NAME``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from syncd.predictive.features import FeatureSpec
from syncd.predictive.metrics import roc_auc

__all__ = ["KNOWN_LEAKY", "THRESHOLD", "Finding", "Separation", "known_leaky", "separation"]

THRESHOLD = 0.95
#: A single-feature figure needs at least this many rows of each class.
MIN_CLASS = 10

#: Normalised name fragments (lower case, letters and digits only) of fields
#: set at or after conversion.
KNOWN_LEAKY: tuple[str, ...] = (
    "lifecyclestage",
    "leadstatus",
    "converted",
    "convertedopportunity",
    "converteddate",
    "isconverted",
    "dealstage",
    "opportunitystage",
    "stagename",
    "closedate",
    "closedwon",
    "iswon",
    "isclosed",
    "becameacustomer",
    "becameanopportunity",
    "becameasql",
)


@dataclass(frozen=True, slots=True)
class Separation:
    """One column's single-feature ROC-AUC over all rows and over the rows
    where it is filled in (None: too few of a class, or nothing missing)."""

    name: str
    whole: float | None
    filled: float | None
    filled_rows: int

    @property
    def best(self) -> float:
        return max(self.whole or 0.0, self.filled or 0.0)

    def describe(self) -> str:
        if self.whole is not None and self.whole >= (self.filled or 0.0):
            return f"ROC-AUC {self.whole:.3f}"
        return f"ROC-AUC {self.filled:.3f} on the {self.filled_rows} rows where it is filled in"


@dataclass(frozen=True, slots=True)
class Finding:
    """One flagged column and why."""

    name: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "reason": self.reason}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def known_leaky(names: Sequence[str]) -> list[Finding]:
    """Columns whose name is on the ``KNOWN_LEAKY`` list."""
    out = []
    for name in names:
        n = _norm(name)
        hit = next((k for k in KNOWN_LEAKY if k in n), None)
        if hit is not None:
            out.append(Finding(name, "known to be set at or after conversion"))
    return out


def _auc(y: npt.NDArray[np.float64], score: npt.NDArray[np.float64]) -> float | None:
    pos = int(y.sum())
    if min(pos, len(y) - pos) < MIN_CLASS:
        return None
    auc = roc_auc(y, score)
    return None if auc is None else max(auc, 1.0 - auc)


def separation(
    spec: FeatureSpec, raws: Sequence[Mapping[str, Any]], labels: Sequence[int]
) -> list[Separation]:
    """Every column's single-feature ROC-AUC (the better direction), highest
    first: over all rows, and over the rows where the column is filled in
    (a field sales fills in after contact is empty for the leads nobody
    touched, and tells the outcome where it is set). A categorical column
    scores each row by its category's positive rate; a numeric one by its
    value. Fewer than ``MIN_CLASS`` rows of a class give no figure."""
    y = np.asarray(labels, dtype=np.float64)
    x = spec.transform(raws)
    out: list[Separation] = []
    for col, (start, end) in zip(spec.columns, spec.slices(), strict=True):
        block = x[:, start:end]
        if col.kind == "numeric":
            score = block[:, 0]
            present = block[:, 1] == 0 if col.indicator else np.ones(len(y), dtype=bool)
        else:
            counts = block.sum(axis=0)
            rates = np.divide(block.T @ y, counts, out=np.zeros_like(counts), where=counts > 0)
            score = block @ rates
            missing = [k for k, c in enumerate(col.categories) if c == "(missing)"]
            present = block[:, missing[0]] == 0 if missing else np.ones(len(y), dtype=bool)
        whole = _auc(y, score)
        filled = _auc(y[present], score[present]) if not present.all() else None
        if whole is not None or filled is not None:
            out.append(Separation(col.name, whole, filled, int(present.sum())))
    out.sort(key=lambda s: -s.best)
    return out
