"""Learning: split, leakage guard, fit, held-out evaluation.

    result = learn(rows, Options(label="Converted"))
    result.artefact          # what `syncd learn` saves
    result.holdout           # (id, label, probability) of every held-out row
    result.findings          # leakage-guard findings (excluded or kept)

Splits: ``time`` holds out the newest ``TEST_SHARE`` of the rows by time
(the ``--time`` column, else ``created_at`` / the first activity);
``order`` the last rows of the file (for a file in date order without a time
column); ``stratified`` a seeded random share of each class; ``auto`` is
``time`` when the rows have times, else ``stratified``. The saved model is
the one fitted on the training part, so its held-out figures are the ones
it was judged by and scoring the held-out rows reproduces them.

The fit is scikit-learn's ``LogisticRegression`` (L2, C = 1) on the
standardised features; scikit-learn is imported only here (the
``predictive`` extra): ``SklearnMissing`` says what to install.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from syncd.core import CompiledModel
from syncd.predictive.artefact import Artefact
from syncd.predictive.errors import InputError
from syncd.predictive.features import FeatureSpec, fit
from syncd.predictive.io import Row, conversion_lag, data_now, decision_points
from syncd.predictive.leakage import THRESHOLD, Finding, Separation, known_leaky, separation
from syncd.predictive.metrics import evaluate
from syncd.predictive.table import raw_table

__all__ = [
    "INSTALL_HINT",
    "MIN_LABELLED",
    "MIN_POSITIVES",
    "SPLITS",
    "TEST_SHARE",
    "NotEnoughData",
    "Options",
    "Result",
    "SklearnMissing",
    "learn",
]

TEST_SHARE = 0.2
SEED = 7
#: Fewer labelled rows, or fewer positives (or negatives), give no usable model.
MIN_LABELLED = 100
MIN_POSITIVES = 20
SPLITS = ("auto", "time", "order", "stratified")
INSTALL_HINT = "pip install 'syncd[predictive]'"


class NotEnoughData(InputError):
    """Too few labelled rows or positives to learn and judge a model."""


class SklearnMissing(InputError):
    """scikit-learn (the ``predictive`` extra) is not installed."""


@dataclass(frozen=True)
class Options:
    label: str
    drop: Sequence[str] = ()
    keep: Sequence[str] = ()
    split: str = "auto"
    seed: int = SEED
    source: str = ""
    #: Where the points model (``learn(points=...)``) was read from, recorded in the file.
    points_path: str | None = None


@dataclass(frozen=True)
class Result:
    artefact: Artefact
    holdout: list[tuple[str, int, float]]
    findings: list[Finding]
    split: str
    separation: list[Separation] = field(default_factory=list)
    #: The held-out rows as they were seen (decision points applied), in
    #: ``holdout`` order, and the moment rows without one were seen as of.
    holdout_rows: list[Row] = field(default_factory=list)
    now: float | None = None


def _check_size(labelled: Sequence[Row], source: str) -> None:
    pos = sum(r.label == 1 for r in labelled)
    neg = len(labelled) - pos
    if len(labelled) < MIN_LABELLED or min(pos, neg) < MIN_POSITIVES:
        raise NotEnoughData(
            f"{source}: not enough labelled data to learn and judge a model: "
            f"{len(labelled)} labelled rows ({pos} positive, {neg} negative); "
            f"needed at least {MIN_LABELLED} labelled rows with {MIN_POSITIVES} positives "
            f"and {MIN_POSITIVES} negatives"
        )


def _split(rows: Sequence[Row], split: str, seed: int) -> tuple[list[int], list[int], str]:
    n = len(rows)
    n_test = max(1, round(n * TEST_SHARE))
    has_time = any(r.time is not None for r in rows)
    if split == "auto":
        split = "time" if has_time else "stratified"
    if split == "time":
        if not has_time:
            raise InputError("--split time: the rows have no times (give --time COLUMN)")
        order = sorted(range(n), key=lambda i: (rows[i].time is not None, rows[i].time or 0.0))
        return order[: n - n_test], order[n - n_test :], "time"
    if split == "order":
        return list(range(n - n_test)), list(range(n - n_test, n)), "order"
    rng = np.random.default_rng(seed)
    train: list[int] = []
    test: list[int] = []
    for cls in (0, 1):
        idx = np.array([i for i, r in enumerate(rows) if r.label == cls])
        rng.shuffle(idx)
        k = round(len(idx) * TEST_SHARE)
        test += idx[:k].tolist()
        train += idx[k:].tolist()
    return sorted(train), sorted(test), "stratified"


SPLIT_TEXT = {
    "time": "time split: the newest {share:.0%} of rows (by time) held out",
    "order": "order split: the last {share:.0%} of rows of the file held out",
    "stratified": "stratified random split (seed {seed}): {share:.0%} of each class held out",
}


def _fit_logistic(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
) -> tuple[float, npt.NDArray[np.float64], str]:
    try:
        import sklearn
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise SklearnMissing(
            f"syncd learn needs scikit-learn, which is not installed: {INSTALL_HINT}"
        ) from None
    model = LogisticRegression(C=1.0, max_iter=5000)
    model.fit(x, y)
    coef = np.asarray(model.coef_[0], dtype=np.float64)
    return float(model.intercept_[0]), coef, str(sklearn.__version__)


def _sigmoid(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))
    return out


def _importance(
    spec: FeatureSpec, coef: npt.NDArray[np.float64], x: npt.NDArray[np.float64]
) -> list[dict[str, Any]]:
    """Per column: mean |contribution| over the training rows, largest first."""
    contrib = np.abs((x - x.mean(axis=0)) * coef)
    out: list[dict[str, Any]] = [
        {"feature": col.name, "importance": round(float(contrib[:, a:b].sum(axis=1).mean()), 4)}
        for col, (a, b) in zip(spec.columns, spec.slices(), strict=True)
    ]
    out.sort(key=lambda d: -d["importance"])
    return out


def learn(
    rows: Sequence[Row],
    options: Options,
    *,
    now: float | None = None,
    points: CompiledModel | None = None,
) -> Result:
    """Split, guard, fit and evaluate; raises InputError subclasses for
    unusable data (nothing is saved here). With ``points``, that points
    model's components are features too (``syncd.predictive.points``)."""
    labelled = [r for r in rows if r.label is not None]
    _check_size(labelled, options.source)
    if now is None:
        now = data_now(rows)
    lag = conversion_lag(labelled)
    labelled = decision_points(labelled, lag, now)
    raws = raw_table(labelled, now, points, options.source)
    y = np.asarray([float(r.label or 0) for r in labelled])
    train, test, split = _split(labelled, options.split, options.seed)
    if len({int(y[i]) for i in test}) < 2 or len({int(y[i]) for i in train}) < 2:
        raise NotEnoughData(
            f"{options.source}: the {split} split leaves one class only in the held-out or "
            "training rows; try --split stratified"
        )
    train_raws = [raws[i] for i in train]
    spec0, _ = fit(train_raws, exclude=options.drop)
    seps = separation(spec0, train_raws, [int(y[i]) for i in train])
    findings = known_leaky([c.name for c in spec0.columns])
    named = {f.name for f in findings}
    findings += [
        Finding(s.name, f"alone separates the outcome ({s.describe()} ≥ {THRESHOLD})")
        for s in seps
        if s.best >= THRESHOLD and s.name not in named
    ]
    excluded = [f for f in findings if f.name not in options.keep]
    spec, _empty = fit(train_raws, exclude=[*options.drop, *(f.name for f in excluded)])
    if not spec.columns:
        raise InputError(f"{options.source}: no usable feature columns left")
    x_train = spec.transform(train_raws)
    intercept, coef, version = _fit_logistic(x_train, y[train])
    x_test = spec.transform([raws[i] for i in test])
    p_test = _sigmoid(x_test @ coef + intercept)
    y_test = y[test]
    share = {"share": TEST_SHARE, "seed": options.seed}
    metrics: dict[str, Any] = {"split": split, "split_text": SPLIT_TEXT[split].format(**share)}
    metrics |= {"holdout": evaluate(y_test, p_test)}
    training = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": options.source,
        "rows": len(labelled),
        "positives": int(y.sum()),
        "train_rows": len(train),
        "test_rows": len(test),
        "seed": options.seed,
        "dropped": list(options.drop),
        "kept": list(options.keep),
        "reference_time": now,
        "conversion_lag_seconds": lag,
        "library": f"scikit-learn {version}",
        "estimator": "LogisticRegression(C=1.0, l2) on standardised features",
        "importance": _importance(spec, coef, x_train),
    }
    if points is not None:
        training["points_model"] = {"ref": points.ref, "path": options.points_path}
    artefact = Artefact(
        features=spec,
        intercept=intercept,
        coefficients=coef,
        label=options.label,
        training=training,
        metrics=metrics,
        excluded=[f.to_json() for f in excluded],
    )
    holdout = [
        (labelled[i].id, int(y[i]), float(p)) for i, p in zip(test, p_test.tolist(), strict=True)
    ]
    return Result(artefact, holdout, findings, split, seps, [labelled[i] for i in test], now)
