"""Sessions and the login endpoints: OAuth 2.0 token grants and the SOAP partner login."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import jwt

from syncd.sandbox.http import HttpError, Request, Response

ORG_ID = "00D8d000000SyNcDEA"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GENERIC_LOGIN_HOSTS = frozenset({"login.salesforce.com", "test.salesforce.com"})
INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


class Sessions:
    """Issued session ids and when they expire (by the injected clock)."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.time) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._expires: dict[str, float] = {}
        self._lock = threading.Lock()

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
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not self.valid(token.strip()):
            raise HttpError(401, INVALID_SESSION, {"WWW-Authenticate": "Token"})


def _oauth_error(error: str, description: str) -> HttpError:
    return HttpError(400, {"error": error, "error_description": description})


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _check_jwt(
    form: dict[str, str],
    request: Request,
    instance_url: str,
    clock: Callable[[], float],
    connected_apps: Mapping[str, str],
) -> None:
    """Refuse assertions as Salesforce does: unknown client, bad signature or expiry
    ("invalid assertion"), an audience other than the login hosts or My Domain."""
    assertion = form.get("assertion", "")
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _oauth_error("invalid_grant", "invalid assertion") from None
    missing = [c for c in ("iss", "sub", "aud", "exp") if not claims.get(c)]
    if missing:
        raise _oauth_error("invalid_grant", "invalid assertion")
    key = connected_apps.get(str(claims["iss"]))
    if key is None:
        raise _oauth_error("invalid_client_id", "client identifier invalid")
    try:
        jwt.decode(
            assertion,
            key,
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        raise _oauth_error("invalid_grant", "invalid assertion") from None
    try:
        expires = float(claims["exp"])
    except (TypeError, ValueError):
        raise _oauth_error("invalid_grant", "invalid assertion") from None
    if expires <= clock():
        raise _oauth_error("invalid_grant", "invalid assertion")
    audience = claims["aud"]
    audiences = audience if isinstance(audience, list) else [audience]
    allowed = {*GENERIC_LOGIN_HOSTS, _host(instance_url), _request_host(request)}
    if len(audiences) != 1 or _host(str(audiences[0])) not in allowed:
        raise _oauth_error("invalid_grant", "audience is invalid")


def _request_host(request: Request) -> str:
    return request.headers.get("host", "").rsplit(":", 1)[0].lower()


def token_response(
    sessions: Sessions,
    instance_url: str,
    user_id: str,
    clock: Callable[[], float],
    request: Request,
    connected_apps: Mapping[str, str] | None = None,
) -> Response:
    """`POST /services/oauth2/token`: password, client_credentials and JWT bearer grants."""
    form = {k: v[0] for k, v in parse_qs(request.text(), keep_blank_values=True).items()}
    grant = form.get("grant_type", "")
    if grant == "password":
        if not form.get("username") or not form.get("client_id"):
            raise _oauth_error("invalid_grant", "authentication failure")
    elif grant == "client_credentials":
        if _request_host(request) in GENERIC_LOGIN_HOSTS:
            raise _oauth_error("invalid_grant", "request not supported on this domain")
        basic = request.headers.get("authorization", "")
        if not basic.lower().startswith("basic ") and not form.get("client_id"):
            raise _oauth_error("invalid_client", "invalid client credentials")
    elif grant == JWT_BEARER:
        _check_jwt(form, request, instance_url, clock, connected_apps or {})
    else:
        raise _oauth_error("unsupported_grant_type", "grant type not supported")
    token = sessions.issue()
    issued = str(int(clock() * 1000))
    identity = f"https://login.salesforce.com/id/{ORG_ID}/{user_id}"
    digest = hmac.new(b"syncd-sandbox", (identity + issued).encode(), hashlib.sha256).digest()
    body = {
        "access_token": token,
        "instance_url": instance_url,
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued,
        "signature": base64.b64encode(digest).decode(),
    }
    if grant == JWT_BEARER:
        body["scope"] = "api"
    return Response(200, body)


def soap_login_response(
    sessions: Sessions, instance_url: str, user_id: str, version: str, request: Request
) -> Response:
    """`POST /services/Soap/u/{version}`: the partner API login simple-salesforce sends."""
    text = request.text()
    if "<n1:login" not in text and ":login>" not in text and "<login" not in text:
        fault = (
            '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
            'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>'
            "<faultcode>sf:INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN</faultstring>"
            "<detail><sf:LoginFault><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>"
            "<sf:exceptionMessage>Invalid username, password, security token; or user locked "
            "out.</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault></soapenv:Body>"
            "</soapenv:Envelope>"
        )
        return Response(500, fault, content_type="text/xml;charset=UTF-8")
    token = sessions.issue()
    server = f"{instance_url}/services/Soap/u/{version}/{ORG_ID[:15]}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="urn:partner.soap.sforce.com"><soapenv:Body><loginResponse><result>'
        f"<metadataServerUrl>{escape(instance_url)}/services/Soap/m/{version}/{ORG_ID[:15]}"
        "</metadataServerUrl><passwordExpired>false</passwordExpired><sandbox>true</sandbox>"
        f"<serverUrl>{escape(server)}</serverUrl><sessionId>{escape(token)}</sessionId>"
        f"<userId>{user_id}</userId></result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )
    return Response(200, body, content_type="text/xml;charset=UTF-8")
