"""The HTTP session every Salesforce call goes through: timeouts and overall deadlines,
call counting,
the org's API usage from ``Sforce-Limit-Info``, redirects kept to trusted hosts,
and plain http for loopback hosts.

Redirects are followed here, not by ``requests``: only to the host the request
went to or a host ``trust()`` named (login_url, instance_url, the instance the
token answer names), over https (plain http only to loopback hosts); any other
redirect raises ``FatalError`` naming the target. A caller that passes
``allow_redirects=False`` (the token request) gets the 3xx answer itself.

simple-salesforce builds ``https://`` URLs from the instance host. For a
loopback instance (the sandbox) the session mounts ``SchemeRewriteAdapter``
for exactly that host and port, which sends the request over plain http;
every other host keeps https. No other host may use http (the options refuse it).

Every request runs under the kit's overall ``Deadline`` of ``timeout_s`` (connect plus
the whole answer; ``timeout_s`` is also each socket read's timeout): an answer trickled
a byte at a time ends with ``DeadlineExceeded`` when ``timeout_s`` has passed. The
session's adapters build their urllib3 pools with ``deadline_pools``. A ``stream=True``
request is covered up to its headers; its body is read by the caller.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from connectors.base import FatalError
from connectors.kit.deadline import Deadline, deadline_pools
from connectors.salesforce.config import LOOPBACK_HOSTS

_LIMIT_INFO = re.compile(r"api-usage=(?P<used>\d+)/(?P<total>\d+)")
#: Redirect hops followed for one call.
MAX_REDIRECTS = 5


def classify(method: str, url: str) -> str:
    """The kind of call a request is, for ``usage().calls``."""
    path = urlsplit(url).path
    if "/services/oauth2/" in path:
        return "auth"
    if "/query" in path or "/queryAll" in path or "/jobs/query" in path:
        return "read"
    if "/composite/sobjects" in path or "/jobs/ingest" in path:
        return "write"
    if method.upper() in ("POST", "PATCH", "PUT", "DELETE") and "/tooling/" not in path:
        return "write"
    return "meta"


class DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections an open kit ``Deadline`` can cut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        deadline_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        deadline_pools(manager)
        return manager


class SchemeRewriteAdapter(DeadlineAdapter):
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
    calls by kind, tells ``on_answer`` every answer's HTTP status, remembers
    ``Retry-After`` and tracks the org's API usage from ``Sforce-Limit-Info``."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s
        self.mount("https://", DeadlineAdapter())
        self.mount("http://", DeadlineAdapter())
        self.calls: Counter[str] = Counter()
        #: Told the HTTP status of every answer (the budget meter's ``answered``).
        self.on_answer: Callable[[int], None] | None = None
        self.api = ApiUsage()
        self.retry_after: float | None = None
        #: Hosts a redirect may lead to (besides the host the request went to).
        self.trusted: set[str] = set()
        self._lock = threading.Lock()

    def trust(self, url: str) -> None:
        """Let redirects lead to this URL's host."""
        host = urlsplit(url).hostname
        if host:
            self.trusted.add(host.lower())

    def check_redirect(self, source: str, target: str) -> None:
        """Refuse (``FatalError``) a redirect from ``source`` to an untrusted host
        or to plain http on a host other than loopback."""
        to, origin = urlsplit(target), urlsplit(source)
        host = (to.hostname or "").lower()
        if host != (origin.hostname or "").lower() and host not in self.trusted:
            raise FatalError(
                f"Salesforce redirected a call to {to.scheme}://{to.netloc}, which is "
                "not the configured login_url/instance_url host; syncd follows redirects "
                "only within those hosts (set instance_url to the org's My Domain URL)"
            )
        if to.scheme != "https" and not (to.scheme == "http" and host in LOOPBACK_HOSTS):
            raise FatalError(
                f"Salesforce redirected a call to {to.scheme}://{to.netloc}: syncd "
                "follows redirects over https only"
            )

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
        follow = kwargs.pop("allow_redirects", True)
        response = self._counted(method, url, *args, **kwargs)
        hops = 0
        while follow and response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            self.check_redirect(response.url, target)
            hops += 1
            if hops > MAX_REDIRECTS:
                raise FatalError(f"Salesforce redirected {url} more than {MAX_REDIRECTS} times")
            if response.status_code in (301, 302, 303) and method.upper() != "HEAD":
                method = "GET"
                for name in ("data", "json", "files"):
                    kwargs.pop(name, None)
            response.close()
            response = self._counted(method, target, *args, **kwargs)
        return response

    def _counted(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        with self._lock:
            self.calls[classify(method, url)] += 1
        kwargs["allow_redirects"] = False
        parts = urlsplit(url)
        what = f"Salesforce {method.upper()} {parts.scheme}://{parts.netloc}{parts.path}"
        with Deadline(self.timeout_s, what=what):
            response = super().request(method, url, *args, **kwargs)
        self._observe(response)
        return response

    def _observe(self, response: requests.Response) -> None:
        if self.on_answer is not None:
            self.on_answer(response.status_code)
        info = response.headers.get("Sforce-Limit-Info", "")
        found = _LIMIT_INFO.search(info)
        retry = response.headers.get("Retry-After")
        with self._lock:
            if found:
                self.api = ApiUsage(int(found["used"]), int(found["total"]))
            try:
                self.retry_after = float(retry) if retry is not None else None
            except ValueError:
                self.retry_after = None


def plain_http_base(url: str) -> str | None:
    """``url`` when it is a plain-http loopback URL, else None."""
    parts = urlsplit(url)
    return url if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS else None
