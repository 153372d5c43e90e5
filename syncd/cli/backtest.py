"""`syncd backtest`: would these models have picked the leads that converted?

Replays history at a cut date (``backtest_sources``: a ``--data`` file or a
connector's state store), scores every contact as it was then with each
model, and judges the scores by what happened within the window after the
cut (``backtest_judge``, ``syncd.evaluate``). Nothing is written anywhere
but stdout (and ``--html``). Exit status (``ExitCode``): 0 judged; 1 too few
outcomes to judge; 2 a model, the input or the state cannot be used.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console

from connectors.options import parse_duration
from syncd.cli.backtest_html import backtest_html
from syncd.cli.backtest_judge import Judged, judge, segment_replays, to_json
from syncd.cli.backtest_render import headline, render
from syncd.cli.backtest_sources import (
    DataError,
    Replay,
    file_horizon,
    read_outcome_file,
    replay,
    replay_store,
)
from syncd.cli.config_option import config_option, connector_or_exit, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.cli.readonly import readonly_engine
from syncd.cli.validate_model import load_or_report
from syncd.core import CompiledModel, ModelError, parse_datetime
from syncd.core.outcomes import TARGETS, OutcomeRule
from syncd.core.routing import Router
from syncd.evaluate import DEFAULT_EXCLUDED, Exclusions, minimum_data_problem
from syncd.modelfile import load_model
from syncd.reporting.shadow import outcome_rule
from syncd.sync import Engine

__all__ = ["backtest"]

_CAPACITY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*(day|week|month))?\s*$")
_PER_WEEK = {"day": 7.0, "week": 1.0, "month": 12 / 52, None: 1.0}


def _capacity(_c: click.Context, _p: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    m = _CAPACITY.match(value)
    if m is None or float(m.group(1)) <= 0:
        raise click.BadParameter(
            f"{value!r} is not a capacity such as 50/week, 10/day or 200/month"
        )
    return float(m.group(1)) * _PER_WEEK[m.group(2)]


def _window(_c: click.Context, _p: click.Parameter, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        window = parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if window <= timedelta(0):
        raise click.BadParameter("the window must be positive")
    return window


def _as_of(_c: click.Context, _p: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise click.BadParameter(f"{value!r} is not an ISO-8601 date or date-time")
    return parsed


def _fail(message: str, code: ExitCode) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def _rule(base: OutcomeRule, target: str | None, window: timedelta | None) -> OutcomeRule:
    return OutcomeRule(
        target=target or base.target,  # type: ignore[arg-type]
        window=window or base.window,
    )


def _from_file(
    path: Path, rule: OutcomeRule, cut: datetime | None, exclusions: Exclusions
) -> Replay:
    try:
        with open(path, "rb") as f:
            items = read_outcome_file(f, str(path), rule)
    except OSError as exc:
        _fail(f"{path}: cannot read: {exc.strerror or exc}", ExitCode.UNUSABLE)
    except DataError as exc:
        for problem in exc.problems[:20]:
            click.echo(problem, err=True)
        more = len(exc.problems) - 20
        tail = f" ({more} more not shown)" if more > 0 else ""
        _fail(f"{path}: {len(exc.problems)} bad line(s){tail}; nothing judged", ExitCode.UNUSABLE)
    if cut is None:
        end = file_horizon(items)
        if end is None:
            _fail(f"{path}: no contacts with dates: give --as-of", ExitCode.FAILED)
        cut = datetime.fromtimestamp(end, UTC) - rule.window
    return replay(items, rule, cut, exclusions)


def _by_segment(
    router: Router, rep: Replay, capacity: float | None, precision: float | None
) -> list[Judged]:
    """A routed connector's live models, each judged on its own segment's
    contacts (segments with too few outcomes are named and left out)."""
    judged = []
    for i, sub in segment_replays(router, rep):
        where = router.describe(i)
        problem = minimum_data_problem(len(sub.labels), sum(sub.labels.values()))
        if problem is not None:
            click.echo(f"{where}: not judged: {problem}", err=True)
            continue
        judged.append(judge(router.routes[i].model, sub, capacity, precision, segment=where))
    if not judged:
        _fail("no segment has enough outcomes to judge", ExitCode.FAILED)
    return judged


def _connector_models(app: Engine, name: str) -> list[CompiledModel]:
    cfg = app.config(name)
    paths = [cfg.model, *cfg.shadow_models]
    models = []
    for path in paths:
        try:
            models.append(load_model(Path(path)))
        except ModelError as exc:
            for issue in exc.issues:
                click.echo(str(issue), err=True)
            _fail(f"{path}: model not usable", ExitCode.UNUSABLE)
    return models


def _report(rep: Replay, judged: list[Judged], as_json: bool, html_path: Path | None) -> None:
    objects = [to_json(j, rep) for j in judged]
    for j in judged:
        for leak in j.leaks:
            click.echo(
                f"warning: {j.evaluation.model}: rule {leak.rule!r} alone separates the outcomes "
                f"(single-rule ROC-AUC {leak.auc:.2f}); check it does not test a field written "
                "after the outcome (--exclude PROPERTY removes it)",
                err=True,
            )
    if html_path is not None:
        try:
            html_path.write_text(backtest_html(objects, headline(rep, judged[0])), encoding="utf-8")
        except OSError as exc:
            _fail(f"{html_path}: cannot write: {exc.strerror or exc}", ExitCode.UNUSABLE)
    if as_json:
        for obj in objects:
            click.echo(json.dumps(obj, ensure_ascii=False))
        return
    console = Console(width=max(100, Console().width))
    for part in render(rep, judged):
        if isinstance(part, str):
            click.echo(part)
        else:
            console.print(part)


@click.command()
@click.option("--connector", "name", default=None, help="Replay this connector's state store.")
@click.option(
    "--data",
    "data_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Replay a JSONL file of canonical contacts, each with an 'outcome'.",
)
@click.option(
    "--model",
    "model_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A model to judge (repeatable; the first is the champion). "
    "Default with --connector: its model and shadow_models.",
)
@click.option("--as-of", "as_of", callback=_as_of, help="The cut date (default: see docs).")
@click.option("--window", callback=_window, help="Outcome window, e.g. 90d (default: 90d).")
@click.option(
    "--target", type=click.Choice(sorted(TARGETS)), default=None, help="Positive outcome."
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="PROPERTY",
    help="Also remove this property (shell pattern) before scoring (repeatable).",
)
@click.option(
    "--no-default-exclusions",
    "keep_all",
    is_flag=True,
    help="Keep the properties the leakage guard removes by default (to look at a leak).",
)
@click.option("--capacity", callback=_capacity, help="Sales capacity, e.g. 50/week.")
@click.option(
    "--precision", type=click.FloatRange(0, 1, min_open=True), help="Target MQL precision."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per model.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@config_option
@click.pass_context
def backtest(
    ctx: click.Context,
    name: str | None,
    data_path: Path | None,
    model_paths: tuple[Path, ...],
    as_of: datetime | None,
    window: timedelta | None,
    target: str | None,
    exclude: tuple[str, ...],
    keep_all: bool,
    capacity: float | None,
    precision: float | None,
    as_json: bool,
    html_path: Path | None,
    config: str | None,
) -> None:
    """Score history as of a cut date and judge models by the outcomes that followed."""
    if (name is None) == (data_path is None):
        _fail("give exactly one of --connector NAME or --data FILE", ExitCode.UNUSABLE)
    models = []
    for path in model_paths:
        model = load_or_report(path)
        if model is None:
            sys.exit(ExitCode.UNUSABLE)
        models.append(model)
    patterns = (*(() if keep_all else DEFAULT_EXCLUDED), *exclude)
    router: Router | None = None
    if data_path is not None:
        if not models:
            _fail("--data needs at least one --model", ExitCode.UNUSABLE)
        rep = _from_file(
            data_path, _rule(OutcomeRule(), target, window), as_of, Exclusions(patterns)
        )
    else:
        assert name is not None
        settings = settings_or_exit(config)
        connector_or_exit(settings, name)
        with readonly_engine(ctx, settings) as app:
            cfg = app.config(name)
            rule = _rule(outcome_rule(cfg), target, window)
            cut = as_of or app.clock() - rule.window
            patterns += tuple(cfg.backtest_exclude)
            router = None if models else app.router(name)
            models = models or _connector_models(app, name)
            rep = replay_store(app.store, name, rule, cut, Exclusions(patterns))
    problem = minimum_data_problem(len(rep.labels), sum(rep.labels.values()))
    if problem is not None:
        _fail(f"{problem} (cut {rep.cut.isoformat()})", ExitCode.FAILED)
    if router is not None and router.routed:
        judged = _by_segment(router, rep, capacity, precision)
        judged += [judge(m, rep, capacity, precision) for m in models[1:]]  # shadow models
    else:
        judged = [judge(m, rep, capacity, precision) for m in models]
    _report(rep, judged, as_json, html_path)
