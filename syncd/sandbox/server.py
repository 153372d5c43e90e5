"""The HTTP harness shared by the fake CRMs.

`SandboxApp` is the base of a fake: it owns a `Router`, a `FaultInjector` and a
`RequestLog`, and turns one `Request` into one `Response` (or a dropped
connection). Vendor fakes subclass it and override the hooks: `register`,
`authenticate`, `admit` (rate limits), `error_body` (vendor-shaped errors),
`decorate` (headers on every answer) and `object_counts`.

`SandboxServer` serves an app on 127.0.0.1 with `ThreadingHTTPServer`,
HTTP/1.1 keep-alive and Nagle's algorithm disabled; use it as a context
manager (`with SandboxServer(app) as srv: srv.url`) or in the foreground
(`serve_forever`). Control endpoints, outside every vendor path and never
subject to faults, auth or rate limits:

- `GET /__sandbox/stats` — totals by endpoint template, by status, object counts
- `GET|POST /__sandbox/faults` — read or replace the fault spec (JSON fields of
  `FaultSpec`, or `{"spec": "429=0.1,drop=0.01"}`)
- `POST /__sandbox/reset-stats` — forget recorded requests
- `GET /__sandbox/requests?limit=N` — the newest recorded requests
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from syncd.sandbox.faults import Fault, FaultInjector, FaultSpec, FaultSpecError, repeat_cursor
from syncd.sandbox.http import HttpError, Request, Response, Router
from syncd.sandbox.recorder import RecordedRequest, RequestLog

log = logging.getLogger("syncd.sandbox")

CONTROL_PREFIX = "/__sandbox/"


class SandboxApp:
    """A fake CRM: routes, state and the hooks the harness calls around each request."""

    name: ClassVar[str] = "sandbox"

    def __init__(
        self,
        faults: FaultSpec | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.router = Router()
        self.faults = FaultInjector(faults)
        self.log = RequestLog()
        self.lock = threading.RLock()  # guards the fake's stored state
        self._sleep = sleep
        self.register(self.router)

    # -- hooks for vendor fakes -------------------------------------------------
    def register(self, router: Router) -> None:
        """Add the vendor routes."""

    def authenticate(self, request: Request) -> None:
        """Raise `HttpError(401, ...)` when the request is not authorised."""

    def admit(self, request: Request, template: str) -> Response | None:
        """A 429 (or similar) answer when a rate limit refuses the request, else None."""
        return None

    def error_body(self, status: int, message: str) -> Any:
        """The vendor's JSON error shape for an injected or unexpected error."""
        return {"status": "error", "message": message}

    def decorate(self, request: Request, response: Response) -> None:
        """Add headers every vendor answer carries."""

    def object_counts(self) -> Mapping[str, int]:
        return {}

    # -- dispatch ---------------------------------------------------------------
    def handle(self, request: Request) -> tuple[Response | None, str]:
        """Answer one request; None means drop the connection. Also returns the template."""
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request), request.path
        found = self.router.match(request.method, request.path)
        template = found[0].template if found else "<unmatched>"
        fault, delay = self.faults.draw()
        if delay:
            self._sleep(delay)
        if fault is Fault.DROP:
            return None, template
        if fault is not Fault.NONE:
            status = int(fault.value)
            response = Response(status, self.error_body(status, "injected fault"))
            if fault is Fault.RATE_LIMIT:
                response.headers["Retry-After"] = "1"
            self.decorate(request, response)
            return response, template
        try:
            self.authenticate(request)
            if found is None:
                allowed = self.router.allows(request.path)
                status = 405 if allowed else 404
                raise HttpError(status, self.error_body(status, f"no route for {request.path}"))
            route, params = found
            refused = self.admit(request, route.template)
            if refused is not None:
                response = refused
            else:
                routed = Request(
                    request.method,
                    request.path,
                    request.query,
                    request.headers,
                    request.body,
                    params,
                )
                response = route.handler(routed)
                if response.status == 200 and self.faults.repeat():
                    repeat_cursor(routed, response)
        except HttpError as exc:
            response = Response(exc.status, exc.body, dict(exc.headers))
        except Exception:  # a bug in the fake: answer 500 and keep serving
            log.error("sandbox handler failed:\n%s", traceback.format_exc())
            response = Response(500, self.error_body(500, "sandbox internal error"))
        self.decorate(request, response)
        return response, template

    def _control(self, request: Request) -> Response:
        action = request.path[len(CONTROL_PREFIX) :].rstrip("/")
        if action == "stats" and request.method == "GET":
            with self.lock:
                counts = dict(self.object_counts())
            return Response(200, self.log.stats(counts))
        if action == "faults" and request.method == "GET":
            return Response(200, self.faults.spec.to_json())
        if action == "faults" and request.method == "POST":
            try:
                data = request.json()
                if isinstance(data, dict) and set(data) == {"spec"}:
                    spec = FaultSpec.parse(str(data["spec"]))
                else:
                    spec = FaultSpec.from_json(data)
            except (FaultSpecError, HttpError) as exc:
                return Response(400, {"message": str(exc)})
            self.faults.replace(spec)
            return Response(200, spec.to_json())
        if action == "reset-stats" and request.method == "POST":
            self.log.reset()
            return Response(200, {"reset": True})
        if action == "requests" and request.method == "GET":
            limit = int(request.arg("limit", "100") or "100")
            items = self.log.requests()[-limit:]
            return Response(200, {"requests": [r.to_json() for r in items]})
        return Response(404, {"message": f"unknown control endpoint {request.path}"})


def _handler_for(app: SandboxApp) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        server_version = f"syncd-sandbox-{app.name}"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s " + format, self.address_string(), *args)

        def _read_body(self) -> bytes:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                chunks: list[bytes] = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _serve(self) -> None:
            started = time.perf_counter()
            body = self._read_body()
            request = Request.build(self.command, self.path, dict(self.headers.items()), body)
            response, template = app.handle(request)
            latency = (time.perf_counter() - started) * 1000
            if not request.path.startswith(CONTROL_PREFIX):
                status = None if response is None else response.status
                app.log.add(
                    RecordedRequest(
                        request.method, request.path, template, request.query, body, status, latency
                    )
                )
            if response is None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            payload = response.encode()
            self.send_response(response.status)
            if payload or response.status not in (204, 304):
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if payload and self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return _Handler


class _QuietServer(ThreadingHTTPServer):
    """A client that went away mid-answer (its deadline closed the socket, a
    dropped-connection fault) is the client's business: no traceback on stderr."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """Serves a `SandboxApp` on `host:port` (port 0 picks a free one)."""

    def __init__(
        self, app: SandboxApp, host: str = "127.0.0.1", port: int = 0, poll_interval: float = 0.02
    ) -> None:
        self.app = app
        self._poll_interval = poll_interval
        self._httpd = _QuietServer((host, port), _handler_for(app))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            args=(self._poll_interval,),
            name=f"sandbox-{self.app.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
