"""`syncd score --predictive MODEL.json`: probabilities from a model file.

The input is CSV or JSONL as for `syncd learn` (the model file names its id
column; its label column, when present, is ignored). One JSON object per row,
in input order: ``{"id", "probability", "top": [{"feature", "value",
"contribution"}, ...]}``. Rows without a decision point of their own are
seen as of ``--as-of``, else the newest time in the input; labelled rows as
`syncd learn` saw them (a converted one as of its conversion, an unconverted
one at the model's typical conversion age), so scoring the training file
reproduces the held-out probabilities learn reported. Exit status: 0 scored;
2 the model or input cannot be used.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from syncd.cli.exit_codes import ExitCode
from syncd.cli.validate_model import load_or_report
from syncd.core import CompiledModel
from syncd.predictive.artefact import Artefact, load
from syncd.predictive.errors import InputError
from syncd.predictive.io import data_now, decision_points, read_rows
from syncd.predictive.scorer import Scorer

__all__ = ["score_predictive"]


def _points(artefact: Artefact, model: Path, given: Path | None) -> CompiledModel | None:
    """The points model the artefact was trained with: ``given`` (--model),
    else the path it recorded; exit 2 when missing or changed."""
    wanted = artefact.points_model
    if wanted is None:
        return None
    ref, recorded = wanted
    path = given if given is not None else (Path(recorded) if recorded else None)
    if path is None:
        click.echo(f"{model}: trained with points model {ref}; give it with --model", err=True)
        sys.exit(ExitCode.UNUSABLE)
    points = load_or_report(path)
    if points is None:
        sys.exit(ExitCode.UNUSABLE)
    if points.ref != ref:
        click.echo(
            f"{model}: trained with points model {ref}, but {path} is {points.ref} "
            f"(retrain: syncd learn --model {path})",
            err=True,
        )
        sys.exit(ExitCode.UNUSABLE)
    return points


def score_predictive(
    model: Path,
    input_path: str,
    output: str,
    as_of: datetime | None,
    points_path: Path | None = None,
) -> None:
    """Score ``input_path`` with the model file ``model``; results to ``output``
    (- = stdout). ``points_path`` overrides where the points model the file
    was trained with (``syncd learn --model``) is read from."""
    try:
        artefact = load(model)
        rows = read_rows(
            Path(input_path),
            artefact.label,
            id_column=artefact.id_column,
            time_column=artefact.time_column,
            label_optional=True,
        )
    except InputError as exc:
        click.echo(str(exc), err=True)
        sys.exit(ExitCode.UNUSABLE)
    now = as_of.timestamp() if as_of is not None else data_now(rows)
    lag = artefact.training.get("conversion_lag_seconds")
    rows = decision_points(rows, float(lag) if isinstance(lag, int | float) else None, now)
    points = _points(artefact, model, points_path)
    try:
        predictions = Scorer(artefact, points).score(rows, now, input_path)
    except InputError as exc:
        click.echo(str(exc), err=True)
        sys.exit(ExitCode.UNUSABLE)
    try:
        out = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        click.echo(f"{output}: cannot write output: {exc.strerror or exc}", err=True)
        sys.exit(ExitCode.UNUSABLE)
    try:
        for p in predictions:
            out.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
        out.flush()
    finally:
        if out is not sys.stdout:
            out.close()
