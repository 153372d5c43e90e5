"""`syncd run`: the service (every connector on its schedule until stopped),
or `syncd run --once`: one cycle of every configured connector."""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import replace

import click
from rich.console import Console

from syncd.cli.config_option import config_option
from syncd.cli.exit_codes import ExitCode
from syncd.cli.progress import cycle_progress
from syncd.cli.reports import cycle_table
from syncd.cli.serve import secrets_of, serve
from syncd.cli.validate import valid_settings_or_exit
from syncd.cli.wiring import engine_for
from syncd.daemon.logs import configure_logging, unconfigure_logging
from syncd.redact import Redactor, configured_secrets
from syncd.sync import run_cycle


@click.command()
@click.option("--once", is_flag=True, help="Run one cycle of every connector, then exit.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="With --once: print the cycle reports as JSON instead of a table.",
)
@config_option
@click.pass_context
def run(ctx: click.Context, once: bool, as_json: bool, config: str | None) -> None:
    """Sync every connector: pull changes, rescore, write back what changed.

    Without --once, run each connector on its schedule until SIGTERM/SIGINT
    (the first stops after the current batch, a second at once), with JSON
    logs on stdout and /healthz, /readyz and /metrics on daemon.host:port.
    With --once, show each connector's progress (bars on a terminal, JSON
    lines on stderr otherwise), then the cycles; exit 1 when any failed or was
    skipped (held by another process); errors are shown with secrets masked."""
    if as_json and not once:
        click.echo("--json goes with --once (the service logs JSON lines itself)", err=True)
        sys.exit(ExitCode.UNUSABLE)
    settings = valid_settings_or_exit(config)
    if not once:
        sys.exit(serve(ctx, settings))
    # Warnings (records skipped or refused) go to stderr with their connector and
    # record id, secrets masked; the table of cycles goes to stdout.
    configure_logging(
        secrets_of(settings),
        fmt=settings.daemon.log_format,
        stream=sys.stderr,
        level=logging.WARNING,
    )
    try:
        with engine_for(ctx, settings) as app, cycle_progress(Console(stderr=True)) as board:
            reports = []
            for name in settings.connectors:
                bar, begun = board(name), time.monotonic()
                reports.append(run_cycle(app, name, progress=bar))
                bar.finish(reports[-1], time.monotonic() - begun)
    except KeyboardInterrupt:
        click.echo(
            "interrupted: everything committed so far is kept; the next run resumes", err=True
        )
        sys.exit(ExitCode.INTERRUPTED)
    finally:
        unconfigure_logging()
    redact = Redactor(configured_secrets(settings))
    reports = [replace(r, error=redact.text(r.error)) if r.error else r for r in reports]
    if as_json:
        click.echo(json.dumps({"cycles": [r.to_json() for r in reports]}, indent=2))
    else:
        Console().print(cycle_table(reports, errors=False))  # echoed below
    for r in reports:
        if r.error:
            click.echo(
                f"{r.connector}: {r.status}: {r.error}", err=r.status in ("failed", "skipped")
            )
    if any(r.status in ("failed", "skipped") for r in reports):
        sys.exit(ExitCode.FAILED)
