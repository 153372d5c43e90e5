"""The long-running form of `syncd run`: the daemon over the engine.

Start-up refuses an invalid config exactly as `syncd validate` does (every
error, exit 1), an unreachable state store or a taken port (exit 2). Then
logging goes to stdout (JSON lines, or readable text on a terminal) with every
configured secret masked, and the daemon runs until SIGTERM/SIGINT (exit 0).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from syncd.cli.exit_codes import ExitCode
from syncd.cli.validate import valid_settings_or_exit
from syncd.daemon.logs import collect_secrets, configure_logging
from syncd.daemon.wiring import build_daemon
from syncd.settings import Settings
from syncd.state import Store
from syncd.sync import ConnectorFactory, Engine

__all__ = ["serve"]

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


def serve(config: str | None, factory: ConnectorFactory) -> int:
    """Run every configured connector on its schedule; returns the exit status."""
    settings = valid_settings_or_exit(config)
    redactor = configure_logging(secrets_of(settings), fmt=settings.daemon.log_format)
    if not settings.connectors:
        log.error("no connectors configured", extra={"event": "daemon_refused"})
        return int(ExitCode.FAILED)
    try:
        store = Store.open(settings.state.url, settings.state.lock_lease)
    except Exception as exc:  # driver errors vary; the message names the cause
        first = (str(exc).splitlines() or [""])[0]
        log.error("state store not usable: %s: %s", type(exc).__name__, first,
                  extra={"event": "daemon_refused"})
        return int(ExitCode.UNUSABLE)
    engine = Engine(settings, store, factory)
    try:
        try:
            daemon = build_daemon(settings, engine, redact=redactor.text)
        except OSError as exc:
            log.error("cannot listen on %s:%d: %s", settings.daemon.host, settings.daemon.port,
                      exc.strerror or exc, extra={"event": "daemon_refused"})
            return int(ExitCode.UNUSABLE)
        return daemon.run()
    finally:
        engine.close()
