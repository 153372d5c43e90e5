"""`syncd report`: each connector's outcome from the state store (no CRM is
called): tiers, the score distribution, MQLs per week, top leads, accounts,
writes and API calls; on the terminal, as JSON, or as one HTML file."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from syncd.cli.config_option import config_option, connector_or_exit, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.cli.readonly import readonly_engine
from syncd.cli.since import clock_now, since_or_exit
from syncd.core import ModelError
from syncd.reporting import ConnectorReport, gather, render, thresholds_of
from syncd.reporting.predictive import (
    PredictiveStatus,
    predictive_html,
    predictive_status,
    predictive_table,
)
from syncd.reporting.segments import segment_figures, segments_json, segments_table
from syncd.reporting.shadow import ab_json, ab_table, gather_ab, outcome_rule
from syncd.sync import Engine

__all__ = ["connector_report", "report"]


def connector_report(app: Engine, name: str, *, since: datetime | None = None) -> ConnectorReport:
    """One connector's report; the tier thresholds come from its configured
    model (none when the model cannot be loaded: the counts still show)."""
    try:
        model = app.model(name)
        thresholds = thresholds_of(model)
    except (ModelError, OSError):
        thresholds = []
    stored = app.store.meta(name).model_ref
    return gather(
        app.store.engine,
        name,
        app.config(name).type,
        now=app.clock(),
        thresholds=thresholds,
        model=stored,
        since=since,
        outcome=app.config(name).outcome.rule(),
    )


def _predictive_json(status: PredictiveStatus | None) -> dict[str, Any]:
    return {} if status is None else {"predictive": status.to_json()}


@click.command()
@click.option("--connector", "name", default=None, help="Only this connector (default: all).")
@click.option(
    "--since",
    "since_text",
    metavar="DATE",
    help="Only runs and MQL entries from this ISO-8601 date or date-time on.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the report with its plots to this HTML file "
    "(self-contained: it opens without network access).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead.")
@config_option
@click.pass_context
def report(
    ctx: click.Context,
    name: str | None,
    since_text: str | None,
    html_path: Path | None,
    as_json: bool,
    config: str | None,
) -> None:
    """Show what syncd did: contacts per tier, score distribution, MQLs per
    week, top leads, accounts, writes, drift, dead letters and API calls per
    run, from the state store (no CRM is called)."""
    settings = settings_or_exit(config)
    if name is not None:
        connector_or_exit(settings, name)
    since = None if since_text is None else since_or_exit(since_text, clock_now(ctx))
    names = [name] if name is not None else list(settings.connectors)
    with readonly_engine(ctx, settings) as app:
        reports = [connector_report(app, n, since=since) for n in names]
        segments = {n: segment_figures(app.store.engine, n) for n in names}
        now = app.clock()
        rules = {n: outcome_rule(app.config(n)) for n in names}
        ab = {n: gather_ab(app.store.engine, n, rules[n], now) for n in names}
        pred = {n: predictive_status(app.config(n), app.store.meta(n), now) for n in names}
    if html_path is not None:
        from syncd.reporting.html import report_html  # loads matplotlib

        try:
            extra = {n: predictive_html(n, p) for n, p in pred.items() if p is not None}
            html_path.write_text(report_html(reports, now, extra), encoding="utf-8")
        except OSError as exc:
            click.echo(f"{html_path}: cannot write the report: {exc.strerror or exc}", err=True)
            sys.exit(ExitCode.FAILED)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "generated_at": now.isoformat(),
                    "connectors": [
                        {
                            **r.to_json(),
                            **segments_json(segments[r.connector]),
                            **_predictive_json(pred[r.connector]),
                        }
                        for r in reports
                    ],
                    "shadow_models": {n: ab_json(ab[n]) for n in names if ab[n]},
                },
                indent=2,
            )
        )
        return
    console = Console()
    for r in reports:
        for part in render(r, console.width):
            console.print(part)
        if ab.get(r.connector):
            console.print(ab_table(r.connector, rules[r.connector], ab[r.connector]))
        if len(segments[r.connector]) > 1:
            console.print(segments_table(r.connector, segments[r.connector]))
        if (p := pred[r.connector]) is not None:
            console.print(predictive_table(r.connector, p))
    if html_path is not None:
        console.print(f"report written to {html_path}")
