"""The model file round-trips and refuses what it cannot use; the numpy
metrics agree with scikit-learn's; scoring needs no scikit-learn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from syncd.predictive.artefact import Artefact, load, save
from syncd.predictive.errors import InputError
from syncd.predictive.features import Column, FeatureSpec
from syncd.predictive.io import Row
from syncd.predictive.metrics import evaluate, pr_auc, roc_auc
from syncd.predictive.scorer import Scorer

SPEC = FeatureSpec(
    (
        Column("employees", "numeric", mean=100.0, std=50.0, indicator=True),
        Column("industry", "categorical", categories=("Tech", "(other)", "(missing)")),
    )
)


def _artefact() -> Artefact:
    return Artefact(SPEC, -0.5, np.array([0.8, -0.3, 1.2, 0.1, -0.4]), label="won")


def test_round_trip_and_scores(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save(_artefact(), path)
    loaded = load(path)
    assert loaded.features == SPEC and loaded.intercept == -0.5
    rows = [
        Row("a", 2, {"employees": "150", "industry": "Tech"}, None),
        Row("b", 3, {"employees": None, "industry": "Retail"}, None),
    ]
    got = Scorer(loaded).score(rows, None)
    z_a = 0.8 * 1.0 + 1.2 - 0.5
    assert got[0].probability == pytest.approx(1 / (1 + np.exp(-z_a)))
    assert got[0].top[0].feature == "industry" and got[0].top[0].value == "Tech"
    z_b = -0.3 + 0.1 - 0.5
    assert got[1].probability == pytest.approx(1 / (1 + np.exp(-z_b)))
    assert got[1].to_json()["id"] == "b"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda o: o.update(format="x"), "not a syncd predictive model"),
        (lambda o: o.update(version=99), "model file version 99; this syncd reads version 1"),
        (lambda o: o["model"]["coefficients"].pop("industry=Tech"), "feature 'industry=Tech'"),
        (lambda o: o["model"].update(intercept="1"), "'model.intercept' must be a number"),
        (lambda o: o["features"]["columns"][0].update(std=0), "not a valid feature list"),
        (lambda o: o["model"].update(kind="pickle"), "'model' must be a logistic model"),
    ],
)
def test_load_refuses_bad_files(tmp_path: Path, edit: object, message: str) -> None:
    path = tmp_path / "m.json"
    obj = _artefact().to_json()
    edit(obj)  # type: ignore[operator]
    path.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load(path)


def test_load_refuses_non_json(tmp_path: Path) -> None:
    path = tmp_path / "m.pkl"
    path.write_bytes(b"\x80\x04\x95")
    with pytest.raises(InputError, match="not a JSON model file"):
        load(path)


def test_metrics_agree_with_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.3).astype(np.float64)
    p = np.round(np.clip(y * 0.3 + rng.random(500) * 0.7, 0, 1), 2).astype(np.float64)  # ties
    assert roc_auc(y, p) == pytest.approx(roc_auc_score(y, p))
    assert pr_auc(y, p) == pytest.approx(average_precision_score(y, p))
    figures = evaluate(y, p)
    assert figures["positives"] == int(y.sum())
    assert sum(c["rows"] for c in figures["calibration"]) == 500
    assert figures["top_decile_lift"] > 1.0
    assert roc_auc(np.zeros(3), np.ones(3)) is None


def test_scoring_imports_no_scikit_learn(tmp_path: Path) -> None:
    save(_artefact(), tmp_path / "m.json")
    code = (
        "import sys; from pathlib import Path; import syncd.cli.score_predictive; "
        "from syncd.predictive.artefact import load; from syncd.predictive.scorer import Scorer; "
        f"Scorer(load(Path({str(tmp_path / 'm.json')!r}))); "
        "assert not [m for m in sys.modules if m.startswith('sklearn')], 'sklearn imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_long_value_is_cut_in_the_explanation() -> None:
    row = Row("a", 2, {"employees": "150", "industry": "y" * 100_000}, None)
    top = Scorer(_artefact()).score([row], None)[0].to_json()["top"]
    industry = next(c for c in top if c["feature"] == "industry")
    assert industry["value"] == "y" * 79 + "…"
