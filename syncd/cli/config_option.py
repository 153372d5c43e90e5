"""The ``--config`` option and config loading shared by every engine command.

An invalid config is printed issue by issue (file, line, key path) on stderr
and the command exits with ``ExitCode.FAILED``; never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from syncd.cli.exit_codes import ExitCode
from syncd.settings import ConfigError, Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["config_option", "connector_or_exit", "settings_or_exit"]


def config_option(f: F) -> F:
    """Add ``--config PATH`` (default: $SYNCD_CONFIG, else config/syncd.yaml)."""
    return click.option(
        "--config",
        "config",
        default=None,
        metavar="PATH",
        help="Config file (default: $SYNCD_CONFIG, else config/syncd.yaml).",
    )(f)


def settings_or_exit(config: str | None) -> Settings:
    """Load the settings or print every issue and exit 1; what was ignored
    with a warning (an unknown ``SYNCD_*`` variable) is printed on stderr."""
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        for warning in exc.warnings:
            click.echo(f"warning: {warning}", err=True)
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"config not usable ({len(exc.issues)} error(s))", err=True)
        sys.exit(ExitCode.FAILED)
    for warning in settings.warnings:
        click.echo(f"warning: {warning}", err=True)
    return settings


def connector_or_exit(settings: Settings, name: str) -> None:
    """Exit 1 with the list of configured names when ``name`` is not one."""
    if name not in settings.connectors:
        known = ", ".join(sorted(settings.connectors)) or "none configured"
        click.echo(f"unknown connector {name!r} (configured: {known})", err=True)
        sys.exit(ExitCode.FAILED)
