"""`syncd validate`: check the config file and every model it names."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from connectors.salesforce.config import SalesforceOptions
from syncd.cli.config_option import config_option, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.core import ModelError, ModelIssue
from syncd.modelfile import load_model
from syncd.settings import Settings

__all__ = ["model_issues", "valid_settings_or_exit", "validate"]


def model_issues(path: Path) -> list[ModelIssue]:
    """All issues of the model at ``path`` (empty when it is valid)."""
    try:
        load_model(path)
    except ModelError as exc:
        return exc.issues
    return []


def valid_settings_or_exit(config: str | None) -> Settings:
    """The settings when the config and the models it names are valid; else
    print every error (file, line, key path) on stderr and exit 1. What
    `syncd validate` and `syncd run` check before doing anything."""
    settings = settings_or_exit(config)
    errors = 0
    for name, conn in settings.connectors.items():
        issues = model_issues(conn.model)
        for issue in issues:
            click.echo(f"connector {name}: {issue}", err=True)
        errors += len(issues)
    if errors:
        click.echo(f"config not usable ({errors} error(s))", err=True)
        sys.exit(ExitCode.FAILED)
    return settings


@click.command()
@config_option
def validate(config: str | None) -> None:
    """Check the config (keys, types, schedules, ${VAR}s) and the models it uses;
    print every error with its file, line and key path."""
    settings = valid_settings_or_exit(config)
    for name, conn in settings.connectors.items():
        for warning in conn.config_warnings() if isinstance(conn, SalesforceOptions) else []:
            click.echo(f"warning: connector {name}: {warning}", err=True)
    names = ", ".join(settings.connectors) or "no connectors"
    click.echo(f"config ok: {names}")
