"""`syncd learn`: train a predictive model from labelled history.

From a file (``--data FILE --label COLUMN``: CSV or JSONL, see
``syncd.predictive.io``) or from the state store (``--connector NAME``:
labels from the outcomes the CRM reported, ``outcome`` setting of the
connector or its default). The model is evaluated on held-out rows before
anything is saved; the leakage guard's findings are warnings on stderr.
Exit status: 0 saved; 1 the data cannot give a model (too few rows,
unusable input), 2 the output cannot be written or scikit-learn is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from syncd.cli.config_option import config_option, connector_or_exit, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.cli.readonly import readonly_store
from syncd.cli.validate_model import load_or_report
from syncd.core import CompiledModel
from syncd.core.outcomes import OutcomeRule
from syncd.predictive.artefact import load, save
from syncd.predictive.errors import InputError
from syncd.predictive.io import Row, read_rows
from syncd.predictive.outcome_rows import rows_from_store
from syncd.predictive.train import SPLITS, Options, Result, SklearnMissing
from syncd.predictive.train import learn as learn_model
from syncd.settings import Settings
from syncd.sync import utc_now

__all__ = ["learn"]


def _names(values: Sequence[str]) -> list[str]:
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def _rule(settings: Settings, name: str) -> OutcomeRule:
    """The connector's positive outcome (its ``outcome`` setting)."""
    return settings.connectors[name].outcome.rule()


def _store_rows(config: str | None, name: str) -> tuple[list[Row], float]:
    settings = settings_or_exit(config)
    connector_or_exit(settings, name)
    obj = click.get_current_context().find_root().obj
    clock = obj.get("clock", utc_now) if isinstance(obj, dict) else utc_now
    now = clock().timestamp()
    with readonly_store(settings) as store:
        outcomes = store.outcomes(name)
        rows = rows_from_store(store.export(name), outcomes, _rule(settings, name), name)
    return rows, now


def _echo_result(result: Result, out: Path) -> None:
    art = result.artefact
    t, m = art.training, art.metrics["holdout"]
    excluded = {x["name"] for x in art.excluded}
    for f in result.findings:
        action = (
            f"excluded (keep it with --keep {f.name!r})" if f.name in excluded else "kept (--keep)"
        )
        click.echo(f"warning: leakage guard: {f.name!r} {f.reason}; {action}", err=True)
    click.echo(
        f"learned from {t['source']}: {t['rows']} labelled rows ({t['positives']} positive), "
        f"{len(art.features.columns)} columns, {len(art.features.feature_names)} features"
    )
    click.echo(f"{art.metrics['split_text']}")
    click.echo(
        f"held out ({m['rows']} rows, {m['positives']} positive): ROC-AUC {m['roc_auc']}, "
        f"PR-AUC {m['pr_auc']}, top-decile lift {m['top_decile_lift']}, Brier {m['brier']}"
    )
    click.echo(f"model written to {out}")


def _challenge(out: Path, result: Result, points: CompiledModel | None) -> bool:
    """Whether the new model may replace the one in ``out`` (said on stdout)."""
    from syncd.predictive.champion import challenge

    try:
        old = load(out)
    except InputError as exc:
        click.echo(f"{exc}; replacing it", err=True)
        return True
    verdict = challenge(old, result, points)
    if verdict.replace:
        click.echo(f"the new model replaces {out}: {verdict.reason}")
    else:
        click.echo(f"kept {out}: the new model is worse ({verdict.reason}); nothing written")
    return verdict.replace


@click.command()
@click.option("--data", "data", type=click.Path(path_type=Path), help="CSV or JSONL file.")
@click.option("--label", help="The label column of a CSV (0/1, yes/no, true/false).")
@click.option("--id", "id_column", help="The id column (default: the 1-based row number).")
@click.option("--time", "time_column", help="A time column: the split holds out the newest rows.")
@click.option("--drop", multiple=True, help="Columns to leave out (COL,COL; repeatable).")
@click.option(
    "--keep", multiple=True, help="Columns the leakage guard flagged, kept anyway (COL,COL)."
)
@click.option(
    "--split",
    type=click.Choice(SPLITS),
    default="auto",
    show_default=True,
    help="time (needs times), order (last rows of the file), stratified (seeded), "
    "auto (time when the rows have times, else stratified).",
)
@click.option(
    "--seed", type=int, default=7, show_default=True, help="Seed of the stratified split."
)
@click.option("--connector", "connector", help="Learn from this connector's stored outcomes.")
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="A points model (YAML) whose components (fit, engagement, account) are features too.",
)
@click.option(
    "--out", "out", required=True, type=click.Path(path_type=Path), help="Model file (JSON)."
)
@click.option(
    "--report", "report", type=click.Path(path_type=Path), help="Write an HTML report here."
)
@click.option(
    "--if-better",
    is_flag=True,
    help="When --out exists, replace it only if the new model is at least as good "
    "(ROC-AUC) on the new model's held-out rows.",
)
@config_option
def learn(
    data: Path | None,
    label: str | None,
    id_column: str | None,
    time_column: str | None,
    drop: tuple[str, ...],
    keep: tuple[str, ...],
    split: str,
    seed: int,
    connector: str | None,
    model_path: Path | None,
    out: Path,
    report: Path | None,
    if_better: bool,
    config: str | None,
) -> None:
    """Train a predictive model from labelled history and save it as JSON."""
    if (data is None) == (connector is None):
        raise click.UsageError("give either --data FILE or --connector NAME")
    now: float | None = None
    points = None
    if model_path is not None:
        points = load_or_report(model_path)
        if points is None:
            sys.exit(ExitCode.FAILED)
    try:
        if data is not None:
            if label is None and data.suffix.lower() not in (".jsonl", ".ndjson"):
                raise click.UsageError("--label COLUMN is needed with a CSV file")
            rows = read_rows(data, label, id_column=id_column, time_column=time_column)
            source = str(data)
        else:
            assert connector is not None
            rows, now = _store_rows(config, connector)
            source = f"connector {connector}"
        options = Options(
            label=label or "outcome",
            drop=_names(drop),
            keep=_names(keep),
            split=split,
            seed=seed,
            source=source,
            points_path=None if model_path is None else str(model_path),
        )
        result = learn_model(rows, options, now=now, points=points)
    except SklearnMissing as exc:
        click.echo(str(exc), err=True)
        sys.exit(ExitCode.UNUSABLE)
    except InputError as exc:
        click.echo(str(exc), err=True)
        sys.exit(ExitCode.FAILED)
    art = result.artefact
    if id_column or time_column:
        art = replace(art, id_column=id_column, time_column=time_column)
    if if_better and out.exists() and not _challenge(out, result, points):
        return
    try:
        save(art, out)
        if report is not None:
            from syncd.predictive.report import write_report

            page = write_report(result, report)
    except OSError as exc:
        click.echo(f"{exc.filename or out}: cannot write: {exc.strerror or exc}", err=True)
        sys.exit(ExitCode.UNUSABLE)
    _echo_result(result, out)
    if report is not None:
        click.echo(f"report written to {page}")
