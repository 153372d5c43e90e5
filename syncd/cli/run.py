"""`syncd run --once`: one cycle of every configured connector."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from syncd.cli.config_option import config_option, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.cli.reports import cycle_table
from syncd.cli.wiring import engine_for
from syncd.sync import run_cycle


@click.command()
@click.option("--once", is_flag=True, help="Run one cycle of every connector, then exit.")
@config_option
@click.pass_context
def run(ctx: click.Context, once: bool, config: str | None) -> None:
    """Sync every connector: pull changes, rescore, write back what changed.
    Exit 1 when any connector's cycle failed."""
    if not once:
        click.echo("only `syncd run --once` is available in this build", err=True)
        sys.exit(ExitCode.UNUSABLE)
    settings = settings_or_exit(config)
    with engine_for(ctx, settings) as app:
        reports = [run_cycle(app, name) for name in settings.connectors]
    Console(width=160).print(cycle_table(reports))
    if any(r.status == "failed" for r in reports):
        sys.exit(ExitCode.FAILED)
