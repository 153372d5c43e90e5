"""The long-running form of `syncd run`: the daemon over the engine.

Start-up refuses an invalid config exactly as `syncd validate` does (every
error, exit 1) and a taken port or a state store that cannot be used (exit 2).
A state store that is not reachable yet (the database still starting) is
retried with backoff for a minute, then syncd exits 75 (TEMPFAIL) so that its
supervisor starts it again later. Then log records go to stdout (JSON lines, or
readable text on a terminal) with every configured secret masked, and the
daemon runs until SIGTERM/SIGINT (exit 0). SIGHUP reloads the config file and
the models between cycles; an unusable new config is refused and logged.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click
import sqlalchemy as sa

from syncd.cli.exit_codes import ExitCode
from syncd.cli.startup import StartupRetry
from syncd.cli.wiring import engine_for
from syncd.daemon.logs import (
    JsonFormatter,
    Redactor,
    TextFormatter,
    collect_secrets,
    configure_logging,
)
from syncd.daemon.reload import LiveEngine, reloader
from syncd.daemon.wiring import build_daemon
from syncd.settings import Settings, load_settings

__all__ = ["secrets_of", "serve"]

log = logging.getLogger("syncd.daemon")


def secrets_of(settings: Settings) -> set[str]:
    """Every SecretStr of the config, the password inside the state URL, and
    ``$PGPASSWORD`` (PostgreSQL's client reads the password from there when
    the URL has none)."""
    found = collect_secrets(settings)
    if os.environ.get("PGPASSWORD"):
        found.add(os.environ["PGPASSWORD"])
    try:
        password = sa.engine.make_url(settings.state.url).password
    except sa.exc.ArgumentError:
        password = None
    if password:
        found.add(str(password))
    return found


class LogMasking:
    """The log redactor, taught every secret of every config loaded so far
    (a cycle started before a reload may still log the old ones). A reload
    swaps the redactor inside the installed log formatters, so no record is
    ever written without one."""

    def __init__(self, settings: Settings) -> None:
        self._lock = threading.Lock()
        self._secrets = secrets_of(settings)
        self._redactor = configure_logging(self._secrets, fmt=settings.daemon.log_format)

    def learn(self, settings: Settings) -> None:
        with self._lock:
            new = secrets_of(settings) - self._secrets
            if not new:
                return
            self._secrets |= new
            redactor = Redactor(self._secrets)
            for handler in logging.getLogger().handlers:
                if isinstance(handler.formatter, JsonFormatter | TextFormatter):
                    handler.formatter.redactor = redactor
            self._redactor = redactor

    def text(self, value: str) -> str:
        with self._lock:
            redactor = self._redactor
        return redactor.text(value)


def _startup_retry(ctx: click.Context) -> StartupRetry:
    obj = ctx.find_root().obj
    retry = obj.get("startup_retry") if isinstance(obj, dict) else None
    return retry if isinstance(retry, StartupRetry) else StartupRetry()


@contextmanager
def _no_reload_yet() -> Iterator[None]:
    """Ignore SIGHUP until the daemon handles it (while the state store is
    retried at start-up there is nothing to reload, and SIGHUP's default
    action would end the process); then put the previous handler back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGHUP, previous)


def serve(ctx: click.Context, settings: Settings) -> int:
    """Run every configured connector on its schedule; returns the exit status.
    SIGHUP re-reads the config named by the command's ``--config`` (or
    ``$SYNCD_CONFIG``) the way start-up did."""
    if not settings.connectors:
        click.echo("no connectors configured: nothing to run", err=True)
        return int(ExitCode.FAILED)
    masking = LogMasking(settings)
    config = ctx.params.get("config")
    with _no_reload_yet(), engine_for(ctx, settings, retry=_startup_retry(ctx)) as engine:
        live = LiveEngine(engine)
        reload = reloader(live, lambda: load_settings(config), on_settings=masking.learn)
        try:
            daemon = build_daemon(
                settings, engine, redact=masking.text, cycle=live.cycle, reload=reload
            )
        except OSError as exc:
            log.error(
                "cannot listen on %s:%d: %s",
                settings.daemon.host,
                settings.daemon.port,
                exc.strerror or exc,
                extra={"event": "daemon_refused"},
            )
            return int(ExitCode.UNUSABLE)
        return daemon.run()
