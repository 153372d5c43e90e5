"""`syncd forget`: erase one person from the state store (a data subject's
request to be forgotten), optionally emptying syncd's fields on the CRM record
first (every one of them: with a predictive model, its conversion probability
field too; the connector decides which fields are syncd's); an audit row
without personal data records that it happened."""

from __future__ import annotations

import getpass
import sys

import click
import sqlalchemy as sa

from connectors.base import ConnectorError, ContactUpdate
from syncd.cli.config_option import config_option, connector_or_exit, settings_or_exit
from syncd.cli.exit_codes import ExitCode
from syncd.cli.wiring import engine_for
from syncd.state import LockBusy
from syncd.state.forget import erase, find_ids
from syncd.state.schema import contacts
from syncd.sync import Engine

__all__ = ["forget"]


def _default_requester() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _clear_crm(app: Engine, name: str, ids: list[str]) -> list[str]:
    """Empty syncd's fields on the CRM records; the failures, as messages."""
    with app.store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(contacts.c.id, contacts.c.kind, contacts.c.writable).where(
                contacts.c.connector == name, contacts.c.id.in_(ids)
            )
        ).all()
    now = app.clock()
    updates = [
        ContactUpdate(str(cid), str(kind), 0, "", "", False, now, None, clear=True)
        for cid, kind, writable in rows
        if writable
    ]
    failed: list[str] = []
    try:
        for outcomes in app.connector(name).write(updates):
            failed += [f"{o.id}: {o.status}: {o.reason}" for o in outcomes if o.status != "ok"]
    except ConnectorError as exc:
        failed.append(str(exc))
    return failed


@click.command()
@click.option("--connector", "name", required=True, help="Connector name from the config.")
@click.option("--id", "contact_id", default=None, help="The person's CRM record id.")
@click.option("--email", default=None, help="The person's e-mail address (every record with it).")
@click.option(
    "--clear-crm-fields",
    is_flag=True,
    help="Also empty syncd's fields (score, tier, reasons …, the conversion probability "
    "with a predictive model) on the CRM record.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be erased; change nothing.")
@click.option(
    "--requested-by",
    default=None,
    help="Who asked (kept in the audit row; no personal data of the person). "
    "Default: cli:<user running syncd>.",
)
@config_option
@click.pass_context
def forget(
    ctx: click.Context,
    name: str,
    contact_id: str | None,
    email: str | None,
    clear_crm_fields: bool,
    dry_run: bool,
    requested_by: str | None,
    config: str | None,
) -> None:
    """Erase a person from the state store: the contact, its activities, score
    history, write ledger and outcomes, in one transaction, with an audit row
    holding a salted hash of the id instead of the person's data."""
    if (contact_id is None) == (email is None):
        raise click.UsageError("give exactly one of --id or --email")
    settings = settings_or_exit(config)
    connector_or_exit(settings, name)
    who = requested_by or _default_requester()
    cleared = False
    with engine_for(ctx, settings) as app:
        ids = find_ids(app.store.engine, name, contact_id=contact_id, email=email)
        if not ids:
            click.echo(f"{name}: no stored contact matches; nothing to erase")
            return
        try:
            with app.store.lock(name, app.owner, app.clock):
                if clear_crm_fields and not dry_run:
                    failed = _clear_crm(app, name, ids)
                    if failed:
                        for line in failed:
                            click.echo(f"{name}: CRM fields not cleared: {line}", err=True)
                        click.echo(f"{name}: nothing erased (fix the above and retry)", err=True)
                        sys.exit(ExitCode.FAILED)
                    cleared = True
                done = erase(
                    app.store.engine,
                    name,
                    ids,
                    requested_by=who,
                    now=app.clock(),
                    crm_cleared=cleared,
                    dry_run=dry_run,
                )
        except LockBusy as exc:
            click.echo(f"{name}: a cycle holds the connector ({exc}); retry when it ends", err=True)
            sys.exit(ExitCode.FAILED)
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(done.rows.items()))
    verb = "would erase" if dry_run else "erased"
    click.echo(f"{name}: {verb} {len(ids)} contact(s): {counts}")
    if cleared:
        click.echo(f"{name}: syncd's CRM fields emptied on {len(ids)} record(s)")
    if not dry_run:
        click.echo(f"{name}: audit: {', '.join(s[:16] for s in done.subjects)}")
