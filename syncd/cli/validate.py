"""`syncd validate`: check the config file and every model it names."""

from __future__ import annotations

import sys

import click

from syncd.cli.config_option import config_option, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.modelfile import validate_model_file


@click.command()
@config_option
def validate(config: str | None) -> None:
    """Check the config (keys, types, schedules, ${VAR}s) and the models it uses;
    print every error with its file, line and key path."""
    settings = settings_or_exit(config)
    errors = 0
    for name, conn in settings.connectors.items():
        issues = validate_model_file(conn.model)
        for issue in issues:
            click.echo(f"connector {name}: {issue}", err=True)
        errors += len(issues)
    if errors:
        click.echo(f"config not usable ({errors} error(s))", err=True)
        sys.exit(ExitCode.FAILED)
    names = ", ".join(settings.connectors) or "no connectors"
    click.echo(f"config ok: {names}")
