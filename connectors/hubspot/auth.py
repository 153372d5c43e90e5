"""Access tokens: a service key or private app's fixed token, or OAuth 2 access tokens from
a refresh token.

The OAuth token is refreshed shortly before it expires (``margin``) and whenever HubSpot
answers 401 (``invalidate``), so the caller can repeat the call in flight with a new token.
Refreshing is serialised: concurrent callers share one refresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import SecretStr

if TYPE_CHECKING:
    from connectors.hubspot.config import HubSpotOptions

#: Scopes a service key (or app) needs, with what each is for (``syncd check`` lists them).
SCOPES: tuple[tuple[str, str], ...] = (
    ("crm.objects.contacts.read", "contacts, calls, meetings, notes, tasks"),
    ("crm.objects.contacts.write", "writing scores to contacts"),
    ("crm.objects.companies.read", "companies"),
    ("crm.objects.companies.write", "writing account scores to companies"),
    ("crm.objects.deals.read", "deals (outcomes: opportunities, won and lost)"),
    ("crm.schemas.contacts.read", "checking syncd's contact properties"),
    ("crm.schemas.contacts.write", "creating syncd's contact properties"),
    ("crm.schemas.companies.read", "checking syncd's company properties"),
    ("crm.schemas.companies.write", "creating syncd's company properties"),
    ("sales-email-read", "logged e-mails"),
    ("content", "marketing e-mail events and campaign names"),
    ("forms", "forms and their submissions"),
)
SCOPE_NAMES = " ".join(name for name, _ in SCOPES)


def credential_fix(options: HubSpotOptions) -> str:
    """What to do when HubSpot refuses the configured credential (``syncd check``)."""
    grant = "; ".join(f"{name} ({why})" for name, why in SCOPES)
    if options.service_key is not None:
        return (
            "Create a service key in HubSpot (Development > Keys > Service keys), grant it "
            f"these scopes: {grant}; put it in service_key."
        )
    if options.access_token is not None:
        return (
            "Set the private app's current access token (private apps can no longer be "
            f"created: new setups use service_key). The app needs: {grant}."
        )
    return (
        "Re-authorise the OAuth app and update oauth.refresh_token; the app needs these "
        f"scopes: {grant}."
    )


#: Refresh this long before expiry at most (a tenth of the lifetime for short-lived tokens).
REFRESH_MARGIN_S = 300.0


@dataclass(frozen=True, slots=True)
class Issued:
    """What the token endpoint answered."""

    access_token: str
    expires_in_s: float


class TokenSource:
    """Gives the bearer token for the next call."""

    def token(self) -> str:
        raise NotImplementedError

    def invalidate(self, used: str) -> bool:
        """The token ``used`` was refused; True when a new one may succeed."""
        return False


class PrivateAppToken(TokenSource):
    """A fixed bearer token: a service key or a private app's access token."""

    def __init__(self, secret: SecretStr) -> None:
        self._secret = secret

    def token(self) -> str:
        return self._secret.get_secret_value()


class OAuthTokens(TokenSource):
    """Refreshes through ``refresh`` (a call to ``POST /oauth/v1/token``)."""

    def __init__(self, refresh: Callable[[], Issued], clock: Callable[[], float]) -> None:
        self._refresh = refresh
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        #: How many times a token was fetched.
        self.refreshes = 0

    def _fetch(self) -> str:
        issued = self._refresh()
        margin = min(REFRESH_MARGIN_S, issued.expires_in_s / 10)
        self._token = issued.access_token
        self._renew_at = self._clock() + issued.expires_in_s - margin
        self.refreshes += 1
        return issued.access_token

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                return self._fetch()
            return self._token

    def invalidate(self, used: str) -> bool:
        with self._lock:
            if self._token == used:  # nobody refreshed since this call went out
                self._token = None
        return True
