"""The health and metrics endpoint: stdlib ``ThreadingHTTPServer`` on a daemon thread.

* ``GET /healthz`` — 200 while the process serves requests (liveness); the
  JSON body details readiness, each connector's latest cycle and the latest
  config reload;
* ``GET /readyz``  — 200 when able to run cycles (config loaded, state store
  reachable), else 503; the JSON body lists each check, and each connector's
  latest cycle for information (a CRM outage never makes syncd unready);
* ``GET /metrics`` — the Prometheus text exposition of the daemon's registry.

Anything else is 404; methods other than GET/HEAD are 405. Bodies pass through
the redactor, so a reason quoted in ``/readyz`` never shows a secret.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST

from syncd.daemon.health import Health
from syncd.daemon.metrics import DaemonMetrics

log = logging.getLogger("syncd.daemon")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _refuse(self) -> None:
        self._send(
            405,
            "text/plain; charset=utf-8",
            b"method not allowed\n",
            True,
            extra={"Allow": "GET, HEAD"},
        )

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse

    def _answer(self, *, with_body: bool) -> None:
        path = self.path.split("?", 1)[0]
        srv = self.server
        if path == "/healthz":
            text = srv.redact(json.dumps(srv.health.details(), sort_keys=True)) + "\n"
            self._send(200, "application/json", text.encode(), with_body)
        elif path == "/readyz":
            verdict = srv.health.readiness()
            body = {
                "ready": verdict.ready,
                "checks": verdict.checks,
                "connectors": verdict.connectors,
            }
            text = srv.redact(json.dumps(body, sort_keys=True)) + "\n"
            self._send(200 if verdict.ready else 503, "application/json", text.encode(), with_body)
        elif path == "/metrics":
            exposition = srv.redact(srv.metrics.exposition().decode())  # labels too
            self._send(200, CONTENT_TYPE_LATEST, exposition.encode(), with_body)
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found\n", with_body)

    def _send(
        self,
        status: int,
        ctype: str,
        body: bytes,
        with_body: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes and probes are not worth a log line each."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        health: Health,
        metrics: DaemonMetrics,
        redact: Callable[[str], str],
    ) -> None:
        self.health = health
        self.metrics = metrics
        self.redact = redact
        super().__init__(address, _Handler)


class HealthServer:
    """Serves the endpoint on ``host:port`` (port 0 picks a free one) until ``stop()``."""

    def __init__(
        self,
        health: Health,
        metrics: DaemonMetrics,
        *,
        host: str = "127.0.0.1",
        port: int = 9464,
        redact: Callable[[str], str] = str,
    ) -> None:
        self._server = _Server((host, port), health, metrics, redact)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="syncd-http", daemon=True
        )

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port (also when never started)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
