"""`syncd validate`: check the config file and every model it names."""

from __future__ import annotations

import sys

import click

from syncd.cli.config_option import config_option, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.modelfile import validate_model_file
from syncd.settings import Settings

__all__ = ["model_issues", "valid_settings_or_exit", "validate"]


def model_issues(settings: Settings) -> list[str]:
    """One line per problem of the models the connectors use."""
    return [f"connector {name}: {issue}"
            for name, conn in settings.connectors.items()
            for issue in validate_model_file(conn.model)]


def valid_settings_or_exit(config: str | None) -> Settings:
    """The settings when the config and its models are valid; else print every
    error (file, line, key path) on stderr and exit 1."""
    settings = settings_or_exit(config)
    issues = model_issues(settings)
    if issues:
        for line in issues:
            click.echo(line, err=True)
        click.echo(f"config not usable ({len(issues)} error(s))", err=True)
        sys.exit(ExitCode.FAILED)
    return settings


@click.command()
@config_option
def validate(config: str | None) -> None:
    """Check the config (keys, types, schedules, ${VAR}s) and the models it uses;
    print every error with its file, line and key path."""
    settings = valid_settings_or_exit(config)
    names = ", ".join(settings.connectors) or "no connectors"
    click.echo(f"config ok: {names}")
