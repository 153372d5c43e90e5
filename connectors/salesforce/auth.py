"""Logging in: the OAuth 2.0 token endpoint for the JWT bearer (default),
client-credentials and legacy username-password flows. No SOAP ``login()``.

``login`` returns the access token and the instance URL to use. It never
follows a redirect (credentials go to the configured host only). Failures:

* 429 and 5xx raise ``ServerError`` and a dropped connection or a timeout
  raises the ``requests`` error: the caller's retry policy repeats them.
* A host that refuses the connection or does not resolve raises
  ``RetriableError`` at once (retrying in the same cycle would not help); a
  TLS failure, a redirect, or something other than Salesforce answering
  raises ``FatalError``. Each names the URL, the cause and the setting to change.
* Salesforce refusing the credentials raises ``FatalError`` with its
  ``error``/``error_description``, the flow and what to fix.

Secrets never appear in messages.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt
import requests

from connectors.base import ConnectorError, FatalError, RetriableError
from connectors.salesforce.config import (
    CLIENT_CREDENTIALS_DOMAIN,
    ClientCredentialsAuth,
    JwtAuth,
    PasswordAuth,
    SalesforceOptions,
)

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: Lifetime of a JWT assertion (Salesforce accepts up to 3 minutes of clock skew).
ASSERTION_TTL_S = 180
_MY_DOMAIN = "https://YOUR-DOMAIN.my.salesforce.com"


class ServerError(requests.HTTPError):
    """The token endpoint answered 429 or 5xx: worth retrying like any call."""


@dataclass(frozen=True, slots=True)
class Token:
    access_token: str
    instance_url: str
    #: The API user's id (from the identity URL the token endpoint returns).
    user_id: str = ""


def url_setting(options: SalesforceOptions) -> str:
    """The option whose URL the token request goes to."""
    if isinstance(options.auth, ClientCredentialsAuth) and options.instance_url:
        return "instance_url"
    return "login_url"


def token_url(options: SalesforceOptions) -> str:
    base = options.instance_url if url_setting(options) == "instance_url" else options.login_url
    parts = urlsplit(base or "")
    return f"{parts.scheme}://{parts.netloc}/services/oauth2/token"


def _hint(options: SalesforceOptions, description: str) -> str:
    """What to fix for Salesforce's ``error_description`` under this flow."""
    auth = options.auth
    app = "the External Client App (or connected app)"
    hints = {
        "user hasn't approved this consumer": (
            f"auth.username {getattr(auth, 'username', '')!r} is not pre-authorised for "
            f"{app}, or no active user has that username in this org: check auth.username "
            "(a sandbox username ends in .SANDBOXNAME), set the app's policy to 'Admin "
            "approved users are pre-authorized' and add the user's profile or permission set"
        ),
        "audience is invalid": (
            f"the assertion is addressed to login_url {options.login_url}: set login_url to "
            f"the org's My Domain URL ({_MY_DOMAIN}), https://login.salesforce.com "
            "or https://test.salesforce.com (sandboxes)"
        ),
        "expired authorization code": (
            "the assertion had expired when Salesforce read it: set this machine's clock "
            f"right (NTP); syncd signs assertions valid for {ASSERTION_TTL_S // 60} minutes"
        ),
        "invalid assertion": (
            "the assertion's signature does not verify: auth.private_key must belong to "
            f"the certificate uploaded to {app} (and the username to a user of this org)"
        ),
        "client identifier invalid": (
            f"auth.consumer_key is not the Consumer Key of {app} in this org "
            "(External Client App Manager > the app > Settings > OAuth Settings)"
        ),
        "no client credentials user enabled": (
            "the app has no run-as user for the client credentials flow: in the External "
            "Client App's policies enable the Client Credentials Flow and set Run As to "
            "the integration user"
        ),
        "request not supported on this domain": CLIENT_CREDENTIALS_DOMAIN,
        "invalid client credentials": (
            f"check auth.consumer_key and auth.consumer_secret against {app}"
        ),
        "authentication failure": (
            "check auth.username, auth.password and auth.security_token; orgs created "
            "since Summer '23 block this flow and External Client Apps do not offer it: "
            "move to flow: jwt"
        ),
    }
    fields = {
        "jwt": "auth.username, auth.consumer_key and auth.private_key",
        "client_credentials": "auth.consumer_key and auth.consumer_secret",
        "password": "auth.username, auth.password, auth.security_token and the consumer key/secret",
    }
    return hints.get(description, f"check {fields[auth.flow]}")


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
        claims = {
            "iss": auth.consumer_key,
            "sub": auth.username,
            "aud": options.login_url.rstrip("/"),
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


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it wraps (causes, contexts, urllib3 reasons)."""
    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return seen


def unreachable(exc: requests.RequestException, url: str, setting: str) -> ConnectorError | None:
    """The error to raise at once for a login host that cannot be used, or None
    when the failure is worth retrying (timeouts, dropped connections)."""
    causes = _causes(exc)
    host = urlsplit(url).netloc
    where = f"Salesforce login: cannot reach {url}"
    if isinstance(exc, requests.exceptions.SSLError):
        return FatalError(
            f"{where}: the TLS handshake with {host} failed (not an https server, or its "
            f"certificate is not trusted); check {setting}"
        )
    if isinstance(exc, requests.Timeout):
        return None
    if any(isinstance(c, socket.gaierror) for c in causes):
        return RetriableError(f"{where}: the host name does not resolve (DNS); check {setting}")
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return RetriableError(
            f"{where}: {host} refused the connection (nothing listens there); check {setting}"
        )
    return None


def _refusal(options: SalesforceOptions, url: str, response: requests.Response) -> FatalError:
    setting = url_setting(options)
    flow = options.auth.flow
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "error" not in body:
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        return FatalError(
            f"Salesforce login ({flow}) at {url}: the answer ({response.status_code}, {kind}) "
            f"is not from a Salesforce token endpoint; check {setting} (the org's My Domain "
            f"URL, {_MY_DOMAIN})"
        )
    error = str(body.get("error", ""))
    description = str(body.get("error_description", ""))
    return FatalError(
        f"Salesforce login ({flow}) at {url} refused: {error} {description}".rstrip()
        + f"; {_hint(options, description)}"
    )


def login(
    options: SalesforceOptions,
    session: requests.Session,
    clock: Callable[[], float] = time.time,
) -> Token:
    """One token request for the configured flow."""
    url = token_url(options)
    setting = url_setting(options)
    try:
        response = session.post(
            url, data=_form(options, clock), timeout=options.timeout_s, allow_redirects=False
        )
    except requests.RequestException as exc:
        error = unreachable(exc, url, setting)
        if error is not None:
            raise error from None
        raise
    status = response.status_code
    if status == 429 or status >= 500:
        raise ServerError(f"token endpoint answered {status}", response=response)
    if response.is_redirect:
        target = urlsplit(response.headers.get("Location", ""))
        raise FatalError(
            f"Salesforce login ({options.auth.flow}) at {url} answered {status}, redirecting "
            f"to {target.netloc or 'another URL'}; syncd does not re-send credentials to a "
            f"redirect: set {setting} to the org's My Domain URL ({_MY_DOMAIN})"
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if status != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise _refusal(options, url, response)
    instance = options.instance_url or str(body.get("instance_url") or "")
    if not instance:
        raise FatalError("Salesforce login answered without an instance_url; set instance_url")
    identity = str(body.get("id") or "")
    user_id = identity.rstrip("/").rsplit("/", 1)[-1] if "/id/" in identity else ""
    return Token(str(body["access_token"]), instance, user_id)
