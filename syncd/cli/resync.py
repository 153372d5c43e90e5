"""`syncd resync`: a manual re-pull or rescore of one connector, optionally dry."""

from __future__ import annotations

import sys
import time

import click
from rich.console import Console

from syncd.cli.config_option import config_option, connector_or_exit, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.cli.progress import cycle_progress
from syncd.cli.reports import cycle_table, samples_table, transition_table
from syncd.cli.since import clock_now, since_or_exit
from syncd.cli.wiring import engine_for
from syncd.sync import run_cycle


@click.command()
@click.option("--connector", "name", required=True, help="Connector name from the config.")
@click.option("--full", is_flag=True, help="Re-pull every record, not only changes.")
@click.option(
    "--since",
    "since_text",
    metavar="ISO",
    help="Re-pull every record modified at or after this ISO-8601 date or "
    "date-time (UTC unless it names an offset), e.g. 2026-11-20T10:00:00Z.",
)
@click.option(
    "--rescore-only",
    is_flag=True,
    help="Rescore every stored contact from local state; no API reads.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write nothing; print the tier transitions, MQL crossings and samples.",
)
@click.option(
    "--retry-dead",
    is_flag=True,
    help="Queue dead-lettered writes again (after fixing what the CRM rejected).",
)
@config_option
@click.pass_context
def resync(
    ctx: click.Context,
    name: str,
    full: bool,
    since_text: str | None,
    rescore_only: bool,
    dry_run: bool,
    retry_dead: bool,
    config: str | None,
) -> None:
    """Resync one connector by hand, e.g. after changing its model."""
    chosen = [
        flag
        for flag, on in (
            ("--full", full),
            ("--since", since_text is not None),
            ("--rescore-only", rescore_only),
        )
        if on
    ]
    if len(chosen) > 1:
        click.echo(f"{' and '.join(chosen)} exclude each other", err=True)
        sys.exit(ExitCode.UNUSABLE)
    since = None if since_text is None else since_or_exit(since_text, clock_now(ctx))
    settings = settings_or_exit(config)
    connector_or_exit(settings, name)
    console = Console()
    try:
        with engine_for(ctx, settings) as app:
            if retry_dead:
                revived = app.store.retry_dead(name)
                console.print(f"{revived} dead-lettered write(s) queued again")
            with cycle_progress(Console(stderr=True)) as board:
                bar, begun = board(name), time.monotonic()
                report = run_cycle(
                    app,
                    name,
                    progress=bar,
                    full=full,
                    since=since,
                    rescore_only=rescore_only,
                    dry_run=dry_run,
                )
                bar.finish(report, time.monotonic() - begun)
    except KeyboardInterrupt:
        click.echo(
            "interrupted: everything committed so far is kept; the next run resumes", err=True
        )
        sys.exit(ExitCode.INTERRUPTED)
    console.print(cycle_table([report]))
    s = report.dry_run
    if s is not None and report.status != "failed":
        console.print(transition_table(s))
        console.print(
            f"MQL crossings: {s.into_mql} into MQL, {s.out_of_mql} out of MQL; "
            f"{s.would_write} of {s.scored} contacts would be written "
            "(dry run: nothing was written)"
        )
        if s.samples:
            console.print(samples_table(s))
    if report.status == "failed":
        sys.exit(ExitCode.FAILED)
