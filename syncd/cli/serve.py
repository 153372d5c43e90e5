"""The long-running form of `syncd run`: the daemon over the engine.

Start-up refuses an invalid config exactly as `syncd validate` does (every
error, exit 1) and an unusable state store or a taken port (exit 2). Then log
records go to stdout (JSON lines, or readable text on a terminal) with every
configured secret masked, and the daemon runs until SIGTERM/SIGINT (exit 0).
"""

from __future__ import annotations

import logging

import click
import sqlalchemy as sa

from syncd.cli.exit_codes import ExitCode
from syncd.cli.wiring import engine_for
from syncd.daemon.logs import collect_secrets, configure_logging
from syncd.daemon.wiring import build_daemon
from syncd.settings import Settings

__all__ = ["secrets_of", "serve"]

log = logging.getLogger("syncd.daemon")


def secrets_of(settings: Settings) -> set[str]:
    """Every SecretStr of the config, and the password inside the state URL."""
    found = collect_secrets(settings)
    try:
        password = sa.engine.make_url(settings.state.url).password
    except sa.exc.ArgumentError:
        password = None
    if password:
        found.add(str(password))
    return found


def serve(ctx: click.Context, settings: Settings) -> int:
    """Run every configured connector on its schedule; returns the exit status."""
    if not settings.connectors:
        click.echo("no connectors configured: nothing to run", err=True)
        return int(ExitCode.FAILED)
    redactor = configure_logging(secrets_of(settings), fmt=settings.daemon.log_format)
    with engine_for(ctx, settings) as engine:
        try:
            daemon = build_daemon(settings, engine, redact=redactor.text)
        except OSError as exc:
            log.error("cannot listen on %s:%d: %s", settings.daemon.host, settings.daemon.port,
                      exc.strerror or exc, extra={"event": "daemon_refused"})
            return int(ExitCode.UNUSABLE)
        return daemon.run()
