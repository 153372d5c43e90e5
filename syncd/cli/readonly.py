"""Opening the state for commands that only read it (``status``, ``explain``,
``export``, ``report``, ``runs``): they never create a database. When there is
no state at the configured URL they say so (``no state at URL``) and exit
``ExitCode.UNUSABLE``; nothing is written."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from syncd.cli.exit_codes import ExitCode
from syncd.cli.logs import setup_cli_logging
from syncd.cli.startup import is_transient
from syncd.cli.wiring import _first_line, _redact, factory_from
from syncd.settings import Settings
from syncd.state import Store
from syncd.state.migrate import StateMissing
from syncd.sync import Engine, utc_now

__all__ = ["readonly_engine", "readonly_store"]


@contextmanager
def readonly_store(settings: Settings) -> Iterator[Store]:
    """The existing state store of ``settings``; prints ``no state at URL`` (or
    why it cannot be opened) on stderr and exits 2 when there is none."""
    try:
        store = Store.open_existing(settings.state.url, settings.state.lock_lease)
    except StateMissing as exc:
        click.echo(
            f"no state at {exc}: no cycle has run with this config yet "
            "(`syncd run --once` runs one)",
            err=True,
        )
        sys.exit(ExitCode.UNUSABLE)
    except Exception as exc:  # driver errors vary; the message names the cause
        where = _redact(settings.state.url)
        if is_transient(exc):
            click.echo(
                f"state store {where} not reachable: {type(exc).__name__}: "
                f"{_first_line(exc)}; try again later",
                err=True,
            )
            sys.exit(ExitCode.TEMPFAIL)
        click.echo(
            f"state store {where} cannot be opened: {type(exc).__name__}: {_first_line(exc)}",
            err=True,
        )
        sys.exit(ExitCode.UNUSABLE)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def readonly_engine(ctx: click.Context, settings: Settings) -> Iterator[Engine]:
    """An engine on the existing state store (see ``readonly_store``); the
    connector factory and clock come from click's context object, as for
    ``wiring.engine_for``."""
    setup_cli_logging()
    obj = ctx.find_root().obj
    clock = obj.get("clock", utc_now) if isinstance(obj, dict) else utc_now
    with readonly_store(settings) as store:
        yield Engine(settings, store, factory_from(ctx), clock=clock)
