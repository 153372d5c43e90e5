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

import click

from connectors import registry
from connectors.base import Connector
from syncd.cli.exit_codes import ExitCode
from syncd.cli.logs import setup_cli_logging
from syncd.cli.startup import NO_RETRY, StartupRetry, StateUnavailable, open_with_retry
from syncd.settings import ConnectorConfig, Settings
from syncd.sync import ConnectorFactory, Engine, utc_now

__all__ = ["build_connector", "engine_for", "factory_from"]


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


@contextmanager
def engine_for(
    ctx: click.Context, settings: Settings, retry: StartupRetry = NO_RETRY
) -> Iterator[Engine]:
    """An engine on the configured state store. A store that is not reachable
    is retried per ``retry`` and then exits 75 (TEMPFAIL: try again later);
    one that cannot be used (bad URL, credentials, file) exits 2 at once."""
    setup_cli_logging()
    obj = ctx.find_root().obj
    clock = obj.get("clock", utc_now) if isinstance(obj, dict) else utc_now
    where = _redact(settings.state.url)
    try:
        app = open_with_retry(
            lambda: Engine.open(settings, factory_from(ctx), clock),
            retry,
            lambda exc: f"{type(exc).__name__}: {_first_line(exc)}",
        )
    except StateUnavailable as exc:
        click.echo(
            f"state store {where} not reachable ({exc.attempts} attempt(s)): {exc}; "
            "try again later",
            err=True,
        )
        sys.exit(ExitCode.TEMPFAIL)
    except Exception as exc:  # driver errors vary; the message names the cause
        click.echo(
            f"state store {where} cannot be opened: {type(exc).__name__}: {_first_line(exc)}",
            err=True,
        )
        sys.exit(ExitCode.UNUSABLE)
    try:
        yield app
    finally:
        app.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else ""


def _redact(url: str) -> str:
    """The URL without its password."""
    import sqlalchemy as sa

    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(invalid URL)"
