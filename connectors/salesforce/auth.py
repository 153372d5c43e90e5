"""Logging in: the OAuth 2.0 token endpoint for the JWT bearer (default), the
username-password (with security token) and the client-credentials flows.

``login`` returns the access token and the instance URL to use. Failures become
``FatalError`` with Salesforce's ``error``/``error_description`` and a hint;
secrets never appear in messages. Network failures and 5xx answers raise
``requests`` errors for the caller's retry policy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt
import requests

from connectors.base import FatalError
from connectors.salesforce.config import (
    ClientCredentialsAuth,
    JwtAuth,
    PasswordAuth,
    SalesforceOptions,
)

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: Lifetime of a JWT assertion (Salesforce accepts up to 3 minutes of clock skew).
ASSERTION_TTL_S = 180
_HINTS = {
    "invalid assertion": "check the private key matches the connected app's certificate "
    "and that this machine's clock is right",
    "audience is invalid": "set login_url to https://login.salesforce.com (production), "
    "https://test.salesforce.com (sandbox) or the org's My Domain URL",
    "client identifier invalid": "check auth.consumer_key against the connected app",
    "user hasn't approved this consumer": "pre-authorize the connected app for the user "
    "(permission set or profile) in Setup",
    "request not supported on this domain": "client credentials need the org's My Domain "
    "URL as login_url or instance_url",
    "authentication failure": "check the username, password and security token",
}


class ServerError(requests.HTTPError):
    """The token endpoint answered 5xx: worth retrying."""


@dataclass(frozen=True, slots=True)
class Token:
    access_token: str
    instance_url: str
    #: The API user's id (from the identity URL the token endpoint returns).
    user_id: str = ""


def _token_url(options: SalesforceOptions) -> str:
    base = options.login_url
    if isinstance(options.auth, ClientCredentialsAuth) and options.instance_url:
        base = options.instance_url
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}/services/oauth2/token"


def _private_key(auth: JwtAuth) -> str:
    if auth.private_key is not None:
        return auth.private_key.get_secret_value()
    assert auth.private_key_file is not None
    try:
        return auth.private_key_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise FatalError(
            f"auth.private_key_file {auth.private_key_file}: cannot read it ({exc.strerror})"
        ) from None


def _form(options: SalesforceOptions, clock: Callable[[], float]) -> dict[str, str]:
    auth = options.auth
    if isinstance(auth, JwtAuth):
        audience = options.login_url.rstrip("/")
        claims = {
            "iss": auth.consumer_key,
            "sub": auth.username,
            "aud": audience,
            "exp": int(clock()) + ASSERTION_TTL_S,
        }
        try:
            assertion = jwt.encode(claims, _private_key(auth), algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError):
            raise FatalError(
                "auth.private_key is not a usable RSA private key (PEM, PKCS#1 or PKCS#8)"
            ) from None
        return {"grant_type": JWT_GRANT, "assertion": assertion}
    if isinstance(auth, PasswordAuth):
        return {
            "grant_type": "password",
            "client_id": auth.consumer_key,
            "client_secret": auth.consumer_secret.get_secret_value(),
            "username": auth.username,
            "password": auth.password.get_secret_value() + auth.security_token.get_secret_value(),
        }
    return {
        "grant_type": "client_credentials",
        "client_id": auth.consumer_key,
        "client_secret": auth.consumer_secret.get_secret_value(),
    }


def login(
    options: SalesforceOptions,
    session: requests.Session,
    clock: Callable[[], float] = time.time,
) -> Token:
    """One token request for the configured flow."""
    url = _token_url(options)
    response = session.post(url, data=_form(options, clock), timeout=options.timeout_s)
    if response.status_code >= 500:
        raise ServerError(f"token endpoint answered {response.status_code}", response=response)
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        error = str(body.get("error", "")) if isinstance(body, dict) else ""
        description = str(body.get("error_description", "")) if isinstance(body, dict) else ""
        hint = _HINTS.get(description, "check the connector's auth settings")
        raise FatalError(
            f"Salesforce login ({options.auth.flow}) at {url} failed: "
            f"{error or response.status_code} {description}".rstrip()
            + f"; {hint}"
        )
    instance = options.instance_url or str(body.get("instance_url") or "")
    if not instance:
        raise FatalError("Salesforce login answered without an instance_url; set instance_url")
    identity = str(body.get("id") or "")
    user_id = identity.rstrip("/").rsplit("/", 1)[-1] if "/id/" in identity else ""
    return Token(str(body["access_token"]), instance, user_id)
