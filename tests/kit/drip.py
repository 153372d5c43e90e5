"""A loopback HTTP server that answers one byte at a time: the status line, the headers
and an endless body each trickle out a byte every ``interval`` seconds, so no single
socket read ever times out and only an overall deadline ends the call."""

from __future__ import annotations

import contextlib
import socketserver
import threading
from types import TracebackType

_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
    + b'{"results": ['
    + b" " * 999_986
    + b"]}"
)


class DripServer:
    """Serves the drip on 127.0.0.1 (a free port); a context manager."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.connections = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with outer._lock:
                    outer.connections += 1
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = self.request.recv(65536)
                    if not chunk:
                        return
                    head += chunk
                with contextlib.suppress(OSError):
                    for byte in _ANSWER:
                        if outer._stop.wait(outer.interval):
                            return
                        self.request.sendall(bytes([byte]))

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()
