"""The HTTP session every Salesforce call goes through: timeouts, call counting,
the org's API usage from ``Sforce-Limit-Info``, and plain http for loopback hosts.

simple-salesforce builds ``https://`` URLs from the instance host. For a
loopback instance (the sandbox) the session mounts ``SchemeRewriteAdapter``
for exactly that host and port, which sends the request over plain http;
every other host keeps https. No other host may use http (the options refuse it).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from connectors.salesforce.config import LOOPBACK_HOSTS

_LIMIT_INFO = re.compile(r"api-usage=(?P<used>\d+)/(?P<total>\d+)")


def classify(method: str, url: str) -> str:
    """The kind of call a request is, for ``usage().calls``."""
    path = urlsplit(url).path
    if "/services/oauth2/" in path or "/services/Soap/u/" in path:
        return "auth"
    if "/query" in path or "/queryAll" in path or "/jobs/query" in path:
        return "read"
    if "/composite/sobjects" in path or "/jobs/ingest" in path:
        return "write"
    if method.upper() in ("POST", "PATCH", "PUT", "DELETE") and "/tooling/" not in path:
        return "write"
    return "meta"


class SchemeRewriteAdapter(HTTPAdapter):
    """Sends ``https://host:port/...`` as ``http://host:port/...`` (loopback only)."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(request.url or "")
        if parts.hostname not in LOOPBACK_HOSTS:
            raise requests.ConnectionError(f"refusing plain http to {parts.hostname}")
        request.url = urlunsplit(("http", parts.netloc, parts.path, parts.query, ""))
        return super().send(request, *args, **kwargs)


@dataclass(slots=True)
class ApiUsage:
    """The org's daily API usage as last reported by ``Sforce-Limit-Info``."""

    used: int | None = None
    limit: int | None = None


class CountingSession(requests.Session):
    """A ``requests.Session`` with a default timeout on every request that counts
    calls by kind, counts 429s, remembers ``Retry-After`` and tracks the org's
    API usage from ``Sforce-Limit-Info``."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s
        self.calls: Counter[str] = Counter()
        self.http_429 = 0
        self.api = ApiUsage()
        self.retry_after: float | None = None
        self._lock = threading.Lock()

    def allow_http(self, base_url: str) -> None:
        """Let https URLs for this loopback host:port travel over plain http."""
        parts = urlsplit(base_url)
        if parts.scheme != "http":
            return
        if parts.hostname not in LOOPBACK_HOSTS:
            raise ValueError(f"{base_url}: plain http is allowed only for loopback hosts")
        adapter = SchemeRewriteAdapter()
        self.mount(f"https://{parts.netloc}/", adapter)
        self.mount(f"http://{parts.netloc}/", adapter)

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_s)
        with self._lock:
            self.calls[classify(method, url)] += 1
        response = super().request(method, url, *args, **kwargs)
        self._observe(response)
        return response

    def _observe(self, response: requests.Response) -> None:
        info = response.headers.get("Sforce-Limit-Info", "")
        found = _LIMIT_INFO.search(info)
        retry = response.headers.get("Retry-After")
        with self._lock:
            if found:
                self.api = ApiUsage(int(found["used"]), int(found["total"]))
            if response.status_code == 429:
                self.http_429 += 1
            try:
                self.retry_after = float(retry) if retry is not None else None
            except ValueError:
                self.retry_after = None


def plain_http_base(url: str) -> str | None:
    """``url`` when it is a plain-http loopback URL, else None."""
    parts = urlsplit(url)
    return url if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS else None
