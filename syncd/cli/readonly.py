"""Opening the state for commands that only read it (``status``, ``explain``,
``export``, ``report``, ``runs``): they never create a database. When there is
no state at the configured URL they say so (``no state at URL``) and exit
``ExitCode.UNUSABLE``; nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from syncd.cli.logs import setup_cli_logging
from syncd.cli.wiring import factory_from, open_state_or_exit
from syncd.settings import Settings
from syncd.state import Store
from syncd.sync import Engine, utc_now

__all__ = ["readonly_engine", "readonly_store"]


@contextmanager
def readonly_store(settings: Settings) -> Iterator[Store]:
    """The existing state store of ``settings``; prints ``no state at URL`` (or
    why it cannot be opened) on stderr and exits when there is none (see
    ``wiring.open_state_or_exit``)."""
    store = open_state_or_exit(
        settings, lambda: Store.open_existing(settings.state.url, settings.state.lock_lease)
    )
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
