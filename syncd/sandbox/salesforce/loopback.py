"""A `requests.Session` that sends every URL, whatever its scheme and host, to the fake."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter


class LoopbackAdapter(HTTPAdapter):
    """Rewrites `https://ANY-HOST/path?q` to `<base_url>/path?q` before sending."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        parts = urlsplit(base_url)
        self._scheme, self._netloc = parts.scheme, parts.netloc

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(request.url or "")
        # keep the host the client meant (login.salesforce.com, My Domain …) in `Host`
        request.headers.setdefault("Host", parts.netloc)
        request.url = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, ""))
        return super().send(request, *args, **kwargs)


def loopback_session(base_url: str) -> requests.Session:
    """A session for simple-salesforce (`session=`) that talks to `base_url` (http://127.0.0.1:PORT)."""
    session = requests.Session()
    adapter = LoopbackAdapter(base_url)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
