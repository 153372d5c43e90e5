"""Request, response and routing types for the sandbox servers (no sockets here)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


class HttpError(Exception):
    """Raised by a handler to answer with `status` and a vendor-shaped JSON `body`."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


@dataclass(frozen=True, slots=True)
class Request:
    """One parsed HTTP request; `params` holds the values captured by the route."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    params: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Request:
        path, _, raw_query = target.partition("?")
        lowered = {k.lower(): v for k, v in headers.items()}
        return cls(method.upper(), path, parse_qs(raw_query, keep_blank_values=True), lowered, body)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """All values of a repeated or comma-separated query parameter."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v)
        return out

    def json(self) -> Any:
        """The body parsed as JSON; a 400 `HttpError` when it is not JSON."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise HttpError(400, {"message": "request body is not valid JSON"}) from None

    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass(slots=True)
class Response:
    """What a handler answers: a JSON-serialisable object, raw bytes, or nothing (204)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json;charset=UTF-8"

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, separators=(",", ":"), default=str).encode("utf-8")


Handler = Callable[[Request], Response]

_PARAM = re.compile(r"\{(\w+)(?::(path))?\}")


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler


class Router:
    """Maps `METHOD /path/{param}` templates to handlers.

    `{name}` matches one path segment, `{name:path}` the rest of the path.
    The template (ids left as `{name}`) is what request statistics are keyed by.
    """

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        regex = ""
        pos = 0
        for match in _PARAM.finditer(template):
            regex += re.escape(template[pos : match.start()])
            name, kind = match.group(1), match.group(2)
            regex += f"(?P<{name}>.+)" if kind == "path" else f"(?P<{name}>[^/]+)"
            pos = match.end()
        regex += re.escape(template[pos:])
        self._routes.append(Route(method.upper(), template, re.compile(f"^{regex}/?$"), handler))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for a request, or None; a path that matches only other methods gives None."""
        for route in self._routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
        return None

    def allows(self, path: str) -> list[str]:
        return sorted({r.method for r in self._routes if r.pattern.match(path)})
