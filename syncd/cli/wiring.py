"""Wiring concrete things together for the engine commands: the state store,
the real connectors (built through the connector registry) and the engine.

Tests and the demo inject their own connector factory (and clock) through
click's context object (``main(obj={"factory": ..., "clock": ...})``);
nothing is patched.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import click

from connectors import registry
from connectors.base import Connector
from syncd.cli.exit_codes import ExitCode
from syncd.cli.logs import setup_cli_logging
from syncd.cli.startup import (
    NO_RETRY,
    StartupRetry,
    StateUnavailable,
    describe,
    open_with_retry,
)
from syncd.settings import ConnectorConfig, Settings
from syncd.state.migrate import StateMissing
from syncd.sync import ConnectorFactory, Engine, utc_now

__all__ = ["build_connector", "engine_for", "factory_from", "open_state_or_exit"]

T = TypeVar("T")


def build_connector(
    name: str,
    cfg: ConnectorConfig,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Connector:
    """The real connector for ``cfg.type`` from the connector registry; ``FatalError``
    when no installed package registers that type. ``clock`` (epoch seconds) and
    ``sleep`` drive the connector's pacing and retries."""
    return registry.lookup(cfg.type).build(name, cfg.connector_options(), clock=clock, sleep=sleep)


def factory_from(ctx: click.Context) -> ConnectorFactory:
    obj = ctx.find_root().obj
    if isinstance(obj, dict) and "factory" in obj:
        factory: ConnectorFactory = obj["factory"]
        return factory
    return build_connector


def open_state_or_exit(
    settings: Settings, open_store: Callable[[], T], retry: StartupRetry = NO_RETRY
) -> T:
    """``open_store()`` for the configured state store, or a one-line message on
    stderr and exit: 2 when there is no state (``StateMissing``, read-only opens)
    or it cannot be used (bad URL, credentials, file); 75 (TEMPFAIL: try again
    later) when it stays unreachable through ``retry``."""
    where = _redact(settings.state.url)
    try:
        return open_with_retry(open_store, retry, describe)
    except StateMissing as exc:
        click.echo(
            f"no state at {exc}: no cycle has run with this config yet "
            "(`syncd run --once` runs one)",
            err=True,
        )
        sys.exit(ExitCode.UNUSABLE)
    except StateUnavailable as exc:
        click.echo(
            f"state store {where} not reachable ({exc.attempts} attempt(s)): {exc}; "
            "try again later",
            err=True,
        )
        sys.exit(ExitCode.TEMPFAIL)
    except Exception as exc:  # driver errors vary; the message names the cause
        click.echo(f"state store {where} cannot be opened: {describe(exc)}", err=True)
        sys.exit(ExitCode.UNUSABLE)


@contextmanager
def engine_for(
    ctx: click.Context, settings: Settings, retry: StartupRetry = NO_RETRY
) -> Iterator[Engine]:
    """An engine on the configured state store (created and migrated when
    missing); see ``open_state_or_exit`` for how a failure to open it ends."""
    setup_cli_logging()
    obj = ctx.find_root().obj
    clock = obj.get("clock", utc_now) if isinstance(obj, dict) else utc_now
    app = open_state_or_exit(
        settings, lambda: Engine.open(settings, factory_from(ctx), clock), retry
    )
    try:
        yield app
    finally:
        app.close()


def _redact(url: str) -> str:
    """The URL without its password."""
    import sqlalchemy as sa

    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(invalid URL)"
