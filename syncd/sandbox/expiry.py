"""Credentials that die at a chosen request, for the fakes' auth: a token or session
that expires (or is ended by the vendor) in the middle of a paged read.

``ExpiryTrap.arm(when)``: the first authenticated request for which ``when(request)``
holds finds every access token (HubSpot OAuth) or session (Salesforce) issued so far
expired, and is answered as the vendor answers an expired credential (HubSpot: 401
``EXPIRED_AUTHENTICATION``; Salesforce: 401 ``INVALID_SESSION_ID``). The trap then
disarms itself: credentials issued afterwards live their normal life. Tests arm it on
the request of a page past the first (``after=``, ``nextRecordsUrl``) to see that
the client renews its credential once and repeats that very page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from syncd.sandbox.http import Request

__all__ = ["ExpiryTrap"]


class ExpiryTrap:
    """A one-shot "the credentials expire at this request" (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._when: Callable[[Request], bool] | None = None
        #: How many requests the trap has sprung on.
        self.sprung = 0

    def arm(self, when: Callable[[Request], bool]) -> None:
        """Expire the credentials at the next authenticated request matching ``when``."""
        with self._lock:
            self._when = when

    def springs(self, request: Request) -> bool:
        """Whether ``request`` (authenticated so far) is the one the credentials die at;
        True at most once per ``arm``."""
        with self._lock:
            if self._when is None or not self._when(request):
                return False
            self._when = None
            self.sprung += 1
            return True
