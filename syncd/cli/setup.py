"""`syncd check` and `syncd setup`: is everything in place, and put syncd's fields there.
Whatever a CRM answered is shown with secrets masked (``syncd.redact``)."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from connectors.base import CheckItem, ConnectorError
from syncd.cli.config_option import config_option, connector_or_exit, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.cli.validate import model_issues
from syncd.cli.validate_model import fidelity_items
from syncd.cli.wiring import engine_for
from syncd.core import ModelError
from syncd.redact import Redactor, configured_secrets


@click.command()
@config_option
@click.pass_context
def check(ctx: click.Context, config: str | None) -> None:
    """Config, state store, model, connectivity, credentials, fields and permissions:
    one line each with ok/fail and the fix."""
    settings = settings_or_exit(config)
    redact = Redactor(configured_secrets(settings))
    items: list[tuple[str, CheckItem]] = [("-", CheckItem("config", True, "valid"))]
    with engine_for(ctx, settings) as app:
        items.append(("-", CheckItem("state store", True, app.store.engine.dialect.name)))
        for name, cfg in settings.connectors.items():
            issues = model_issues(cfg.model)
            items.append(
                (
                    name,
                    CheckItem(
                        "model",
                        not issues,
                        str(cfg.model) if not issues else str(issues[0]),
                        "" if not issues else f"fix the model; `syncd validate-model {cfg.model}`",
                    ),
                )
            )
            try:
                found = app.connector(name).check()
                items.extend((name, i) for i in found)
                items.extend((name, i) for i in fidelity_items(cfg.model, found))
            except ConnectorError as exc:
                items.append(
                    (
                        name,
                        CheckItem(
                            "connect", False, str(exc), "check the connector's URL and credentials"
                        ),
                    )
                )
    t = Table(title="syncd check")
    for col in ("connector", "check", "result", "detail", "fix"):
        t.add_column(col, overflow="fold")
    stated: set[str] = set()
    for name, i in items:
        result = (
            "[bold red]fail[/]" if not i.ok else "[yellow]warn[/]" if i.warning else "[green]ok[/]"
        )
        fix = _once(redact.text(i.fix), stated)
        t.add_row(name, i.name, result, redact.text(i.detail), fix)
    Console().print(t)
    if not all(i.ok for _n, i in items):
        sys.exit(ExitCode.FAILED)


def _once(fix: str, stated: set[str]) -> str:
    """``fix`` without the lines an earlier row already stated ("as above" when none is
    left): every fix appears once in the table."""
    lines = [line for line in fix.splitlines() if line.strip()]
    fresh = [line for line in dict.fromkeys(lines) if line not in stated]
    stated.update(fresh)
    if lines and not fresh:
        return "(as above)"
    return "\n".join(fresh)


@click.command()
@click.option("--connector", "name", required=True, help="Connector name from the config.")
@config_option
@click.pass_context
def setup(ctx: click.Context, name: str, config: str | None) -> None:
    """Create (HubSpot) or verify (Salesforce) syncd's score fields."""
    settings = settings_or_exit(config)
    connector_or_exit(settings, name)
    redact = Redactor(configured_secrets(settings))
    with engine_for(ctx, settings) as app:
        try:
            tiers = app.router(name).tier_names
        except ModelError as exc:
            click.echo(redact.text(str(exc)), err=True)
            sys.exit(ExitCode.UNUSABLE)
        try:
            report = app.connector(name).ensure_fields(create=True, tiers=tiers)
        except ConnectorError as exc:
            click.echo(redact.text(f"{name}: {exc}"), err=True)
            sys.exit(ExitCode.FAILED)
    for f in report.present:
        click.echo(f"ok       {f.object}.{f.name} ({f.type})")
    for f in report.created:
        click.echo(f"created  {f.object}.{f.name} ({f.type})")
    for f in report.missing:
        click.echo(f"MISSING  {f.object}.{f.name} ({f.type})")
    for line in report.advice:
        click.echo(redact.text(line))
    if not report.ok:
        sys.exit(ExitCode.FAILED)
