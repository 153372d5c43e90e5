"""`syncd explain` and `syncd export`: look inside the local copy of a connector."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import IO

import click
from rich.console import Console
from rich.table import Table

from syncd.cli.config_option import config_option, connector_or_exit, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.cli.readonly import readonly_engine
from syncd.core import ModelError, contact_from_json, format_points, parse_datetime
from syncd.core.routing import score_routed
from syncd.state.subject_access import subject_access


def _as_of(_c: click.Context, _p: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise click.BadParameter(f"{value!r} is not an ISO-8601 date-time")
    return parsed


@click.command()
@click.option("--connector", "name", required=True, help="Connector name from the config.")
@click.argument("contact_id")
@click.option(
    "--as-of", callback=_as_of, help="Score as of this instant (default: when it was last scored)."
)
@config_option
@click.pass_context
def explain(
    ctx: click.Context, name: str, contact_id: str, as_of: datetime | None, config: str | None
) -> None:
    """Show a stored contact, its score breakdown and its score history."""
    settings = settings_or_exit(config)
    connector_or_exit(settings, name)
    with readonly_engine(ctx, settings) as app:
        group = app.store.group_of(name, contact_id)
        sc = next((g for g in group if g.id == contact_id), None)
        if sc is None:
            click.echo(f"{name}: no stored contact {contact_id!r}", err=True)
            sys.exit(ExitCode.FAILED)
        try:
            router = app.router(name)
        except ModelError as exc:
            click.echo(str(exc), err=True)
            sys.exit(ExitCode.UNUSABLE)
        # by default, the breakdown of the values last computed (and written)
        when = as_of or sc.scored_at or app.clock()
        contacts = [contact_from_json(g.json) for g in group]
        results = score_routed(router, contacts, when)
        pos = next(i for i, r in enumerate(results) if r.id == contact_id)
        result = results[pos]
        route = f", {router.describe(router.index(contacts[pos]))}" if router.routed else ""
        history = app.store.history(name, contact_id)
    console = Console(width=140)
    console.print_json(json.dumps(sc.json, ensure_ascii=False))
    t = Table(
        title=f"{contact_id}: {result.score} ({result.tier}) with {result.model}{route} "
        f"as of {when.isoformat()}"
    )
    t.add_column("rule")
    t.add_column("component")
    t.add_column("points", justify="right")
    t.add_column("count", justify="right")
    for reason in result.reasons:
        t.add_row(
            reason.rule, reason.component, str(format_points(reason.points)), str(reason.count)
        )
    console.print(t)
    for label, v in (("in CRM", sc.crm), ("last written", sc.written)):
        shown = "-" if v is None else f"{v.score} / {v.tier} / {v.reasons}"
        console.print(f"{label}: {shown}")
    if history:
        h = Table(title="score history (newest first)")
        for col in ("at", "score", "tier", "model", "run"):
            h.add_column(col)
        for row in history:
            h.add_row(row.at.isoformat(), str(row.score), row.tier, row.model_ref, row.run_id)
        console.print(h)


@click.command()
@click.option("--connector", "name", required=True, help="Connector name from the config.")
@click.option(
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="JSONL file (default stdout).",
)
@click.option(
    "--contact",
    "contact_id",
    default=None,
    help="Instead: everything syncd holds about this one contact, as one JSON "
    "document (a subject-access request).",
)
@config_option
@click.pass_context
def export(
    ctx: click.Context, name: str, output: IO[str], contact_id: str | None, config: str | None
) -> None:
    """Write the stored contacts as canonical JSONL, the input of `syncd score`."""
    settings = settings_or_exit(config)
    connector_or_exit(settings, name)
    with readonly_engine(ctx, settings) as app:
        if contact_id is not None:
            held = subject_access(app.store.engine, name, contact_id)
            if held is None:
                click.echo(f"{name}: no stored contact {contact_id!r}", err=True)
                sys.exit(ExitCode.FAILED)
            output.write(json.dumps(held, ensure_ascii=False, indent=2) + "\n")
            return
        for obj in app.store.export(name):
            output.write(json.dumps(obj, ensure_ascii=False) + "\n")
