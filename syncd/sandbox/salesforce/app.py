"""`SalesforceSandbox`: the fake org as a `SandboxApp` (auth, API allocation, error shapes)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

from connectors.salesforce.limits import URI_MAX_BYTES
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.http import Request, Response, Router
from syncd.sandbox.ratelimit import DailyCounter
from syncd.sandbox.salesforce import bulk, collections, rest, tooling
from syncd.sandbox.salesforce.auth import Sessions, soap_login_response, token_response
from syncd.sandbox.salesforce.store import Store
from syncd.sandbox.server import SandboxApp

if TYPE_CHECKING:
    from syncd.sandbox.generator import Dataset

VERSION = "59.0"
API_PREFIX = f"/services/data/v{VERSION}"
_UNAUTHENTICATED = ("/services/oauth2/token", "/services/Soap/u/")
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
    """A stateful fake Salesforce org (REST v59.0) for simple-salesforce."""

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
    ) -> None:
        self.clock = clock
        self.sessions = Sessions(session_ttl_s, clock)
        self.api_usage = DailyCounter(daily_api_limit)
        #: Connected apps allowed to use the JWT bearer flow: consumer key -> the
        #: PEM public key (or certificate) that verifies their assertions.
        self.connected_apps: dict[str, str] = {}
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

    def register_connected_app(self, consumer_key: str, public_key_pem: str) -> None:
        """Trust JWT assertions from `consumer_key` signed by this key's private half."""
        self.connected_apps[consumer_key] = public_key_pem

    def new_session(self) -> str:
        """A valid session id, as if a login had just happened."""
        return self.sessions.issue()

    # -- SandboxApp hooks -------------------------------------------------------------
    def register(self, router: Router) -> None:
        router.add("POST", "/services/oauth2/token", self._token)
        router.add("POST", "/services/Soap/u/{version}", self._soap_login)
        rest.register(router, self)
        collections.register(router, self)
        tooling.register(router, self)
        bulk.register(router, self)

    def _token(self, request: Request) -> Response:
        return token_response(
            self.sessions,
            self.instance_url,
            self.integration_user_id,
            self.clock,
            request,
            self.connected_apps,
        )

    def _soap_login(self, request: Request) -> Response:
        version = request.params.get("version", VERSION)
        return soap_login_response(
            self.sessions, self.instance_url, self.integration_user_id, version, request
        )

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
