"""`syncd validate`: check the config file, every model it names (every
route's of ``models:``; routes no contact can reach are errors), and what a
cycle checks before its first API call (each connector is built, offline:
Salesforce field names must be plain API names, files the config names must
be readable), so that "config ok" means a cycle accepts the config."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click
from pydantic import BaseModel

from connectors.base import FatalError
from syncd.cli.config_option import config_option, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.cli.validate_routes import route_issues
from syncd.cli.wiring import build_connector
from syncd.core import ModelError, ModelIssue
from syncd.modelfile import load_model
from syncd.settings import ConnectorConfig, Settings, config_path

__all__ = ["connector_issues", "model_issues", "valid_settings_or_exit", "validate"]


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
        paths = dict.fromkeys([*(r.model for r in conn.models or ()), conn.model])
        issues = [i for path in paths for i in model_issues(path)]
        for issue in issues:
            click.echo(f"connector {name}: {issue}", err=True)
        errors += len(issues)
    if errors:
        click.echo(f"config not usable ({errors} error(s))", err=True)
        sys.exit(ExitCode.FAILED)
    return settings


def _files(options: BaseModel, prefix: str) -> Iterator[tuple[str, Path]]:
    """(key path, file) of every file an option names."""
    for key in type(options).model_fields:
        value = getattr(options, key)
        if isinstance(value, Path):
            yield f"{prefix}{key}", value
        elif isinstance(value, BaseModel):
            yield from _files(value, f"{prefix}{key}.")


def connector_issues(name: str, cfg: ConnectorConfig) -> list[str]:
    """What the connector's first cycle would refuse before any API call:
    unreadable files and the checks its builder runs (the connector is built
    and closed again; nothing is sent)."""
    issues = [
        f"connectors.{name}.{key}: cannot read {path}"
        for key, path in _files(cfg, "")
        if key != "model" and not _readable(path)
    ]
    if issues:
        return issues
    try:
        build_connector(name, cfg).close()
    except FatalError as exc:
        issues.append(f"connectors.{name}: {exc}")
    return issues


def _readable(path: Path) -> bool:
    try:
        with path.open("rb"):
            return True
    except OSError:
        return False


@click.command()
@config_option
def validate(config: str | None) -> None:
    """Check the config (keys, types, bounds, schedules, ${VAR}s, environment
    overrides), the models it uses, and what a cycle checks before its first
    API call; print every error with its file, line and key path."""
    settings = valid_settings_or_exit(config)
    for name, conn in settings.connectors.items():
        config_warnings = getattr(conn, "config_warnings", None)
        for warning in config_warnings() if callable(config_warnings) else []:
            click.echo(f"warning: connector {name}: {warning}", err=True)
    source = config_path(config)
    issues = [i for name, cfg in settings.connectors.items() for i in connector_issues(name, cfg)]
    for issue in issues:
        click.echo(f"{source}: {issue}", err=True)
    routes = route_issues(settings, source)
    for issue in routes:
        click.echo(issue, err=True)
    issues += routes
    if issues:
        click.echo(f"config not usable ({len(issues)} error(s))", err=True)
        sys.exit(ExitCode.FAILED)
    names = ", ".join(settings.connectors) or "no connectors"
    click.echo(f"config ok: {names}")
