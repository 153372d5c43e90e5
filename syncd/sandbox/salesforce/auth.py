"""Sessions and the OAuth 2.0 token endpoint of the fake org.

Both kinds of OAuth app, External Client Apps and (legacy) connected apps, are
`OAuthApp`s and the token endpoint treats them alike for the JWT bearer and
client-credentials grants, answering the setup mistakes with the bodies
Salesforce sends (status 400, ``{"error", "error_description"}``):

- JWT: unknown ``iss`` -> ``invalid_client_id`` "client identifier invalid"; bad
  signature or missing claims -> ``invalid_grant`` "invalid assertion"; ``exp``
  in the past -> ``invalid_grant`` "expired authorization code"; ``aud`` other
  than login/test.salesforce.com or the org's own host -> ``invalid_grant``
  "audience is invalid"; ``sub`` naming no active user, or a user the app is
  not pre-authorised for -> ``invalid_grant`` "user hasn't approved this
  consumer" (Salesforce does not tell the two apart).
- client credentials: sent to login/test.salesforce.com -> ``invalid_grant``
  "request not supported on this domain"; wrong secret -> ``invalid_client``
  "invalid client credentials"; no run-as user -> ``invalid_grant`` "no client
  credentials user enabled".
- password: an External Client App (which does not offer the flow) ->
  ``invalid_grant`` "authentication failure".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import jwt

from syncd.sandbox.expiry import ExpiryTrap
from syncd.sandbox.http import HttpError, Request, Response

ORG_ID = "00D8d000000SyNcDEA"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GENERIC_LOGIN_HOSTS = frozenset({"login.salesforce.com", "test.salesforce.com"})
INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


class Sessions:
    """Issued session ids and when they expire (by the injected clock): ``ttl_s`` after
    their last request, as an org's session timeout counts inactivity."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.time) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._expires: dict[str, float] = {}
        self._lock = threading.Lock()
        #: Armed by tests: every session issued so far ends at a chosen request.
        self.expiry = ExpiryTrap()

    def issue(self) -> str:
        token = f"{ORG_ID[:15]}!AQ{secrets.token_urlsafe(48)}"
        with self._lock:
            self._expires[token] = self._clock() + self.ttl_s
        return token

    def valid(self, token: str) -> bool:
        with self._lock:
            expires = self._expires.get(token)
        return expires is not None and self._clock() < expires

    def revoke(self, token: str) -> None:
        with self._lock:
            self._expires.pop(token, None)

    def check(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, raw = header.partition(" ")
        token = raw.strip()
        if self.valid(token) and self.expiry.springs(request):
            with self._lock:
                self._expires.clear()  # the org ended every session (a timeout, a logout)
        if scheme.lower() not in ("bearer", "oauth") or not self._use(token):
            raise HttpError(401, INVALID_SESSION, {"WWW-Authenticate": "Token"})

    def _use(self, token: str) -> bool:
        """Whether ``token`` is a live session; using one restarts its timeout (the
        org's session timeout counts inactivity)."""
        with self._lock:
            expires = self._expires.get(token)
            now = self._clock()
            if expires is None or now >= expires:
                return False
            self._expires[token] = now + self.ttl_s
            return True


@dataclass(slots=True)
class OAuthApp:
    """An External Client App or a connected app, as its OAuth settings and policies."""

    consumer_key: str
    kind: Literal["external_client_app", "connected_app"] = "external_client_app"
    #: PEM public key or certificate checking JWT assertions ("use digital signatures").
    certificate: str | None = None
    consumer_secret: str | None = None
    #: Usernames (any case) pre-authorised by profile or permission set (JWT bearer).
    pre_authorized: set[str] = field(default_factory=set)
    #: The client-credentials flow's run-as user (None: the flow has no user).
    run_as: str | None = None


@dataclass(frozen=True, slots=True)
class Org:
    """What the token endpoint needs to know about the org."""

    instance_url: str
    #: Active users: username (lower case) -> user id.
    users: Mapping[str, str]
    default_user_id: str
    apps: Mapping[str, OAuthApp]
    #: Hosts that reach this server but are not the org's login domain (an
    #: assertion addressed to them has the wrong audience).
    foreign_hosts: frozenset[str] = frozenset()


def oauth_error(error: str, description: str, status: int = 400) -> HttpError:
    return HttpError(status, {"error": error, "error_description": description})


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _request_host(request: Request) -> str:
    return request.headers.get("host", "").rsplit(":", 1)[0].lower()


def _check_jwt(form: dict[str, str], request: Request, org: Org, now: float) -> str:
    """The user id an assertion logs in as; refusals as Salesforce answers them."""
    assertion = form.get("assertion", "")
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise oauth_error("invalid_grant", "invalid assertion") from None
    if any(not claims.get(c) for c in ("iss", "sub", "aud", "exp")):
        raise oauth_error("invalid_grant", "invalid assertion")
    app = org.apps.get(str(claims["iss"]))
    if app is None and org.apps:
        raise oauth_error("invalid_client_id", "client identifier invalid")
    try:
        if app is not None:  # an org without any app takes every key unchecked (__init__)
            jwt.decode(
                assertion,
                app.certificate or "",
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_aud": False},
            )
        expires = float(claims["exp"])
    except (jwt.PyJWTError, TypeError, ValueError):
        raise oauth_error("invalid_grant", "invalid assertion") from None
    audience = claims["aud"]
    audiences = audience if isinstance(audience, list) else [audience]
    allowed = {*GENERIC_LOGIN_HOSTS, _host(org.instance_url), _request_host(request)}
    allowed -= org.foreign_hosts
    if len(audiences) != 1 or _host(str(audiences[0])) not in allowed:
        raise oauth_error("invalid_grant", "audience is invalid")
    if expires <= now:
        raise oauth_error("invalid_grant", "expired authorization code")
    username = str(claims["sub"]).lower()
    user_id = org.users.get(username)
    approved = None if app is None else {u.lower() for u in app.pre_authorized}
    if user_id is None or (approved is not None and username not in approved):
        raise oauth_error("invalid_grant", "user hasn't approved this consumer")
    return user_id


def _client(form: dict[str, str], request: Request) -> tuple[str, str]:
    """(client_id, client_secret) from the form or an HTTP Basic header."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise oauth_error("invalid_client", "invalid client credentials") from None
        key, _, secret = decoded.partition(":")
        return key, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _check_client_credentials(form: dict[str, str], request: Request, org: Org) -> str:
    if _request_host(request) in GENERIC_LOGIN_HOSTS:
        raise oauth_error("invalid_grant", "request not supported on this domain")
    key, secret = _client(form, request)
    if not key:
        raise oauth_error("invalid_client", "invalid client credentials")
    app = org.apps.get(key)
    if app is None:
        return org.default_user_id  # an unregistered app: any secret (see __init__)
    if app.consumer_secret is None or not hmac.compare_digest(app.consumer_secret, secret):
        raise oauth_error("invalid_client", "invalid client credentials")
    user_id = org.users.get((app.run_as or "").lower())
    if user_id is None:
        raise oauth_error("invalid_grant", "no client credentials user enabled")
    return user_id


def _check_password(form: dict[str, str], request: Request, org: Org) -> str:
    key, secret = _client(form, request)
    if not form.get("username") or not key:
        raise oauth_error("invalid_grant", "authentication failure")
    app = org.apps.get(key)
    if app is not None and (
        app.kind == "external_client_app"
        or app.consumer_secret is None
        or not hmac.compare_digest(app.consumer_secret, secret)
    ):
        raise oauth_error("invalid_grant", "authentication failure")
    return org.users.get(form["username"].lower(), org.default_user_id)


def token_response(
    org: Org, sessions: Sessions, clock: Callable[[], float], request: Request
) -> Response:
    """`POST /services/oauth2/token`: JWT bearer, client_credentials and password grants."""
    form = {k: v[0] for k, v in parse_qs(request.text(), keep_blank_values=True).items()}
    grant = form.get("grant_type", "")
    if grant == JWT_BEARER:
        user_id = _check_jwt(form, request, org, clock())
    elif grant == "client_credentials":
        user_id = _check_client_credentials(form, request, org)
    elif grant == "password":
        user_id = _check_password(form, request, org)
    else:
        raise oauth_error("unsupported_grant_type", "grant type not supported")
    token = sessions.issue()
    issued = str(int(clock() * 1000))
    identity = f"https://login.salesforce.com/id/{ORG_ID}/{user_id}"
    digest = hmac.new(b"syncd-sandbox", (identity + issued).encode(), hashlib.sha256).digest()
    body = {
        "access_token": token,
        "instance_url": org.instance_url,
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued,
        "signature": base64.b64encode(digest).decode(),
    }
    if grant == JWT_BEARER:
        body["scope"] = "api"
    return Response(200, body)
