"""`syncd status`: per connector, last and next run, cursor, counts, errors,
pending and dead-lettered writes, API budget left; secrets and anything
credential-shaped masked (``syncd.redact``) in the table and the JSON."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from syncd.cli.config_option import config_option, settings_or_exit
from syncd.cli.readonly import readonly_engine
from syncd.redact import Redactor, configured_secrets
from syncd.schedule import next_run as schedule_next_run
from syncd.settings import ConnectorConfig
from syncd.sync import Engine


def next_run(cfg: ConnectorConfig, last: datetime | None, now: datetime) -> datetime:
    """When the connector's schedule fires next after the last run (or now)."""
    return schedule_next_run(cfg.schedule, last, now)


def connector_status(app: Engine, name: str) -> dict[str, Any]:
    store = app.store
    runs = store.last_runs(name, 1)
    last = runs[0] if runs else None
    counts = store.counts(name)
    m = store.meta(name)
    now = app.clock()
    return {
        "connector": name,
        "type": app.config(name).type,
        "last_run": None
        if last is None
        else {
            "run_id": last.run_id,
            "kind": last.kind,
            "status": last.status,
            "started_at": last.started_at.isoformat(),
            "finished_at": last.finished_at.isoformat() if last.finished_at else None,
            "error": last.error,
            "counts": {
                k: last.report.get(k)
                for k in (
                    "pulled",
                    "scored",
                    "written",
                    "unchanged",
                    "write_failures",
                    "dead_letters",
                    "drift_repaired",
                    "skipped",
                )
            },
            "api_calls": last.report.get("api_calls", {}),
        },
        "next_run": next_run(app.config(name), last.started_at if last else None, now).isoformat(),
        "cursor": m.cursor,
        "model": m.model_ref,
        "last_rescore_at": m.last_rescore_at.isoformat() if m.last_rescore_at else None,
        "contacts": counts.contacts,
        "pending_writes": counts.pending,
        "pending_account_writes": store.pending_account_count(name),
        "dead_letters": counts.dead,
        "dead_letter_samples": [
            {"id": i, "attempts": a, "error": e} for i, a, e in store.dead_letters(name, 10)
        ],
        "budget_remaining": last.report.get("budget_remaining") if last else None,
        # what the connector told about its CRM (e.g. signals the portal's plan lacks)
        "notes": list(m.cursor.get("notes") or []) if isinstance(m.cursor, dict) else [],
    }


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per connector.")
@config_option
@click.pass_context
def status(ctx: click.Context, as_json: bool, config: str | None) -> None:
    """Show each connector's sync state."""
    settings = settings_or_exit(config)
    redact = Redactor(configured_secrets(settings))
    with readonly_engine(ctx, settings) as app:
        rows = [redact.value(connector_status(app, name)) for name in settings.connectors]
    if as_json:
        click.echo(json.dumps({"connectors": rows}, indent=2))
        return
    console = Console()
    t = Table(title="syncd status")
    for col in (
        "connector",
        "last run",
        "status",
        "next run",
        "contacts",
        "pending",
        "dead",
        "budget left",
        "error",
    ):
        t.add_column(col)
    for r in rows:
        lr = r["last_run"] or {}
        t.add_row(
            r["connector"],
            lr.get("started_at") or "never",
            lr.get("status") or "-",
            r["next_run"],
            str(r["contacts"]),
            str(r["pending_writes"]),
            str(r["dead_letters"]),
            str(r["budget_remaining"] or "-"),
            lr.get("error") or "",
        )
    console.print(t)
    for r in rows:
        if r["dead_letter_samples"]:
            d = Table(title=f"{r['connector']}: dead-lettered writes")
            for col in ("id", "attempts", "last error"):
                d.add_column(col)
            for x in r["dead_letter_samples"]:
                d.add_row(x["id"], str(x["attempts"]), x["error"])
            console.print(d)
        console.print(f"{r['connector']} cursor: {json.dumps(r['cursor'])}")
        for note in r["notes"]:
            console.print(f"{r['connector']}: {note}")
