"""``python -m syncd.daemon.probe [CONFIG]``: the container image's HEALTHCHECK.

Reads the config the daemon reads (``CONFIG``, else ``$SYNCD_CONFIG``, with
the same ``SYNCD_`` overrides), so the probe follows ``daemon.port`` wherever
it is set, and asks ``/healthz`` on that port. Exit 0 when it answers 200,
else 1 with one line on stderr saying why. A daemon listening on every
interface (``0.0.0.0`` or ``::``) is asked on the loopback address.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Sequence

from syncd.settings import ConfigError, DaemonSettings, load_settings

__all__ = ["healthz_url", "main"]

TIMEOUT_S = 4.0
_ANY = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def healthz_url(daemon: DaemonSettings) -> str:
    """Where the daemon configured by ``daemon`` answers ``/healthz``."""
    host = _ANY.get(daemon.host, daemon.host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{daemon.port}/healthz"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings(args[0] if args else None)
    except ConfigError as exc:
        print(f"healthcheck: config not usable: {exc.issues[0]}", file=sys.stderr)
        return 1
    if settings.daemon.port == 0:
        print(
            "healthcheck: daemon.port is 0 (a free port picked at start): set a port",
            file=sys.stderr,
        )
        return 1
    url = healthz_url(settings.daemon)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:
            status = int(answer.status)
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError as exc:
        print(f"healthcheck: {url}: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"healthcheck: {url}: HTTP {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
