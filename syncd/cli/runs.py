"""`syncd runs`: the run history from the state store, newest first."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from syncd.cli.config_option import config_option, connector_or_exit, settings_or_exit
from syncd.cli.readonly import readonly_engine
from syncd.cli.reports import narrow_table, status_text
from syncd.state.reports import RunRecord, run_records

__all__ = ["runs", "runs_table"]

#: The cycle report's counts shown per run, as (column, report key).
COUNTS = (
    ("pulled", "pulled"),
    ("scored", "scored"),
    ("written", "written"),
    ("drift", "drift_repaired"),
    ("dead", "dead_letters"),
)


def run_json(r: RunRecord) -> dict[str, object]:
    return {
        "run_id": r.run_id,
        "connector": r.connector,
        "kind": r.kind,
        "status": r.status,
        "started_at": r.started_at.isoformat(),
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
        "seconds": r.seconds,
        **{col: r.count(key) for col, key in COUNTS},
        "api_calls": r.calls,
        "error": r.error,
    }


def runs_table(records: list[RunRecord]) -> Table:
    """Runs as a table narrow enough for an 80-column terminal (errors follow
    it); the connector column only when the runs are of more than one connector."""
    several = len({r.connector for r in records}) > 1
    t = narrow_table("syncd runs (newest first; UTC)")
    t.add_column("started", no_wrap=True)
    if several:
        t.add_column(
            "connector", overflow="fold", min_width=min(20, max(len(r.connector) for r in records))
        )
    t.add_column("kind", no_wrap=True)
    t.add_column("status", no_wrap=True)
    t.add_column("secs", justify="right", no_wrap=True)
    counts = ["/".join(str(r.count(k)) for k in ("pulled", "scored", "written")) for r in records]
    t.add_column(
        "pulled/\nscored/\nwritten",
        justify="right",
        min_width=max((len(c) for c in counts), default=7),
    )
    t.add_column("drift/\ndead", justify="right", min_width=5)
    t.add_column("calls", justify="right", no_wrap=True)
    for r, count in zip(records, counts, strict=True):
        t.add_row(
            f"{r.started_at:%m-%d %H:%M}",
            *([r.connector] if several else []),
            r.kind,
            status_text(r.status),
            "" if r.seconds is None else f"{r.seconds:.1f}",
            count,
            f"{r.count('drift_repaired')}/{r.count('dead_letters')}",
            str(sum(r.calls.values())),
        )
    errors = [
        f"{r.started_at:%m-%d %H:%M} {r.connector}: {r.status}: {r.error}"
        for r in records
        if r.error
    ]
    if errors:
        t.caption = "\n".join(errors)
    return t


@click.command()
@click.option("--connector", "name", default=None, help="Only this connector (default: all).")
@click.option(
    "--last",
    "last",
    default=20,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many runs to show.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run.")
@config_option
@click.pass_context
def runs(
    ctx: click.Context, name: str | None, last: int, as_json: bool, config: str | None
) -> None:
    """Show the run history: kind, status, duration, pulled, scored, written,
    drift repaired, dead letters, API calls and error of each run."""
    settings = settings_or_exit(config)
    if name is not None:
        connector_or_exit(settings, name)
    with readonly_engine(ctx, settings) as app:
        records = run_records(app.store.engine, name, last=last)
    if as_json:
        click.echo(json.dumps({"runs": [run_json(r) for r in records]}, indent=2))
        return
    if not records:
        click.echo("no runs recorded yet")
        return
    Console().print(runs_table(records))
