"""`SalesforceSandbox`: the fake org as a `SandboxApp` (auth, API allocation, error shapes)."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import urlencode

from connectors.salesforce.limits import API_VERSION, URI_MAX_BYTES
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.http import Request, Response, Router
from syncd.sandbox.ratelimit import DailyCounter
from syncd.sandbox.salesforce import bulk, collections, rest, tooling, versions
from syncd.sandbox.salesforce.auth import OAuthApp, Org, Sessions, oauth_error, token_response
from syncd.sandbox.salesforce.store import Store
from syncd.sandbox.server import SandboxApp

if TYPE_CHECKING:
    from syncd.sandbox.generator import Dataset

VERSION = API_VERSION
API_PREFIX = f"/services/data/v{VERSION}"
_UNAUTHENTICATED = ("/services/oauth2/token",)
_VERSIONED = re.compile(r"^/services/data/v(?P<version>\d+\.\d+)(?=/|$)")
_CODES = {
    400: "BAD_REQUEST",
    401: "INVALID_SESSION_ID",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    429: "REQUEST_LIMIT_EXCEEDED",
    500: "UNKNOWN_EXCEPTION",
    503: "SERVER_UNAVAILABLE",
}


class SalesforceSandbox(SandboxApp):
    """A stateful fake Salesforce org (one REST API version) for simple-salesforce."""

    name: ClassVar[str] = "salesforce"
    version: ClassVar[str] = VERSION
    instance_url: ClassVar[str] = "https://syncd-sandbox.my.salesforce.com"

    def __init__(
        self,
        dataset: Dataset | None = None,
        *,
        session_ttl_s: float = 7200,
        daily_api_limit: int = 15000,
        faults: FaultSpec | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        seed: int = 0,
        api_versions: Sequence[str] | None = None,
    ) -> None:
        self.clock = clock
        self.sessions = Sessions(session_ttl_s, clock)
        self.api_usage = DailyCounter(daily_api_limit)
        #: External Client Apps and connected apps by consumer key.
        self.oauth_apps: dict[str, OAuthApp] = {}
        #: What `GET /services/data/` lists (the routes serve `VERSION` only).
        self.api_versions = list(api_versions or versions.default_versions(VERSION))
        #: Hosts reaching this server that are not the org's login domain.
        self.foreign_hosts: set[str] = set()
        #: Statuses the next token requests answer with (429/5xx), one each.
        self.token_failures: list[int] = []
        #: When set, the token endpoint answers 307 with this Location.
        self.token_redirect: str | None = None
        super().__init__(faults, sleep=sleep)
        self.store = Store(clock, lock=self.lock, seed=seed)
        self.cursors = rest.Cursors()
        self.jobs = bulk.Jobs()
        self.integration_user_id = self.store.insert(
            "User",
            {
                "Username": "integration@syncd.example",
                "FirstName": "Syncd",
                "LastName": "Integration",
                "Email": "integration@syncd.example",
                "Alias": "syncd",
                "IsActive": True,
            },
        )
        self.store.default_user_id = self.integration_user_id
        for table in ("User",):
            for record in self.store.table(table).values():
                for name in ("CreatedById", "LastModifiedById"):
                    record[name] = self.integration_user_id
        if dataset is not None:
            from syncd.sandbox.salesforce.seed import seed_dataset

            seed_dataset(self.store, dataset)

    def register_external_client_app(
        self,
        consumer_key: str,
        certificate: str | None = None,
        *,
        consumer_secret: str | None = None,
        pre_authorized: Iterable[str] | None = None,
        run_as: str | None = None,
        kind: Literal["external_client_app", "connected_app"] = "external_client_app",
    ) -> OAuthApp:
        """An app whose JWT assertions `certificate` (PEM public key) verifies, with
        the users pre-authorised for it (default: the integration user) and the
        client-credentials run-as user (default: none)."""
        users = {"integration@syncd.example"} if pre_authorized is None else set(pre_authorized)
        app = OAuthApp(consumer_key, kind, certificate, consumer_secret, users, run_as)
        self.oauth_apps[consumer_key] = app
        return app

    def register_connected_app(
        self,
        consumer_key: str,
        certificate: str | None = None,
        *,
        consumer_secret: str | None = None,
        pre_authorized: Iterable[str] | None = None,
        run_as: str | None = None,
    ) -> OAuthApp:
        """A legacy connected app; the token endpoint treats it as an External
        Client App, except that it still offers the username-password flow."""
        return self.register_external_client_app(
            consumer_key,
            certificate,
            consumer_secret=consumer_secret,
            pre_authorized=pre_authorized,
            run_as=run_as,
            kind="connected_app",
        )

    def new_session(self) -> str:
        """A valid session id, as if a login had just happened."""
        return self.sessions.issue()

    # -- SandboxApp hooks -------------------------------------------------------------
    def register(self, router: Router) -> None:
        router.add("POST", "/services/oauth2/token", self._token)
        router.add("GET", "/services/data", self._versions)
        rest.register(router, self)
        collections.register(router, self)
        tooling.register(router, self)
        bulk.register(router, self)

    def _versions(self, request: Request) -> Response:
        return versions.versions_response(self.api_versions, request)

    def _token(self, request: Request) -> Response:
        if self.token_redirect is not None:
            return Response(307, None, {"Location": self.token_redirect})
        if self.token_failures:
            status = self.token_failures.pop(0)
            error = oauth_error(
                "rate_limited" if status == 429 else "unknown_error", "retry later", status
            )
            error.headers["Retry-After"] = "1"
            raise error
        users = {
            str(r["Username"]).lower(): str(r["Id"])
            for r in self.store.table("User").values()
            if r.get("IsActive") and not r.get("IsDeleted")
        }
        org = Org(
            self.instance_url,
            users,
            self.integration_user_id,
            dict(self.oauth_apps),
            frozenset(self.foreign_hosts),
        )
        return token_response(org, self.sessions, self.clock, request)

    def authenticate(self, request: Request) -> None:
        path = request.path
        if path.startswith(_UNAUTHENTICATED) or path.rstrip("/") == "/services/data":
            return
        self.sessions.check(request)

    def admit(self, request: Request, template: str) -> Response | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if self.api_usage.take():
            return None
        return Response(
            403,
            [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
        )

    def error_body(self, status: int, message: str) -> Any:
        if status == 404 and message.startswith("no route"):
            message = "The requested resource does not exist"
        return [{"message": message, "errorCode": _CODES.get(status, "UNKNOWN_EXCEPTION")}]

    def decorate(self, request: Request, response: Response) -> None:
        if request.path.startswith("/services/data"):
            used, limit = self.api_usage.used, self.api_usage.limit
            response.headers["Sforce-Limit-Info"] = f"api-usage={used}/{limit}"

    def handle(self, request: Request) -> tuple[Response | None, str]:
        found = _VERSIONED.match(request.path)
        if found is not None:  # every listed version is served as VERSION, others are gone
            if found["version"] not in self.api_versions:
                message = f"API version {found['version']} is not served by this org"
                return Response(404, [{"message": message, "errorCode": "NOT_FOUND"}]), request.path
            rest_of_path = request.path[found.end() :]
            request = dataclasses.replace(request, path=f"{API_PREFIX}{rest_of_path}")
        if request.method == "GET" and _uri_bytes(request) > URI_MAX_BYTES:
            message = f"URI plus headers exceed {URI_MAX_BYTES} bytes"
            return Response(414, [{"message": message, "errorCode": "URI_TOO_LONG"}]), request.path
        response, template = super().handle(request)
        if (
            response is not None
            and request.path.startswith("/services/oauth2/")
            and isinstance(response.body, list)
        ):  # OAuth answers errors as {"error", "error_description"}, even injected ones
            first = response.body[0] if response.body else {}
            response.body = {
                "error": str(first.get("errorCode", "unknown_error")).lower(),
                "error_description": str(first.get("message", "")),
            }
        return response, template

    def object_counts(self) -> Mapping[str, int]:
        return self.store.counts()


def _uri_bytes(request: Request) -> int:
    """Bytes of the request line's URI plus the headers, as the server limit counts them."""
    query = urlencode(request.query, doseq=True)
    uri = len(request.path) + (len(query) + 1 if query else 0)
    return uri + sum(len(k) + len(v) + 4 for k, v in request.headers.items())
