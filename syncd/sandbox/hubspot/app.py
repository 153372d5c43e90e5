"""`HubSpotSandbox`: the fake portal as a `SandboxApp` (auth, rate limits, error shapes)."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import parse_qs

from connectors.hubspot import limits
from syncd.sandbox.expiry import ExpiryTrap
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.http import HttpError, Request, Response, Router
from syncd.sandbox.hubspot import errors, versions
from syncd.sandbox.hubspot.crm import CrmRoutes, InvalidMode
from syncd.sandbox.hubspot.marketing import MarketingRoutes
from syncd.sandbox.hubspot.meta import ASSOCIATIONS_PER_INPUT_PAGE, MetaRoutes
from syncd.sandbox.hubspot.schema import OBJECT_TYPES
from syncd.sandbox.hubspot.store import Store
from syncd.sandbox.ratelimit import DailyCounter, TokenBucket
from syncd.sandbox.server import SandboxApp

if TYPE_CHECKING:
    from syncd.sandbox.generator import Dataset

Tier = Literal["free", "pro"]
#: The portal's subscription level: web-analytics events are served on Enterprise only.
Plan = Literal["starter", "professional", "enterprise"]
PLANS: tuple[str, ...] = ("starter", "professional", "enterprise")
BURST: dict[str, int] = limits.BURST_PER_WINDOW
DAILY: dict[str, int] = limits.DAILY
BURST_WINDOW_S = limits.BURST_WINDOW_S
SEARCH_PER_SECOND = limits.SEARCH_PER_SECOND
AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
    "you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


TOKEN_PATH = "/oauth/v1/token"
#: The token endpoint under every path the fake serves it (legacy and dated).
TOKEN_PATHS = frozenset({TOKEN_PATH, *(f"/oauth/{v}/token" for v in versions.DATED)})


def _is_search(template: str) -> bool:
    return template.endswith("/search")


@dataclass(slots=True)
class OAuthApp:
    """An installed OAuth app: the refresh token it holds and how long access tokens live."""

    client_id: str
    client_secret: str
    refresh_token: str
    token_ttl_s: float = 1800.0


class HubSpotSandbox(SandboxApp):
    """A stateful fake HubSpot portal the real `hubspot-api-client` runs against.

    `store` holds the state; read and write it directly in tests. `clock` (seconds)
    stamps every write and drives the rate-limit buckets.
    """

    name: ClassVar[str] = "hubspot"

    def __init__(
        self,
        dataset: Dataset | None = None,
        *,
        token: str = "sandbox-token",
        tier: Tier = "free",
        faults: FaultSpec | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rate_limits: bool = True,
        oauth: OAuthApp | None = None,
        search_lag_s: float = 3.0,
        invalid_mode: InvalidMode = "per_input",
        associations_per_input_page: int = ASSOCIATIONS_PER_INPUT_PAGE,
        plan: Plan = "enterprise",
    ) -> None:
        if tier not in BURST:
            raise ValueError(f"tier must be 'free' or 'pro', got {tier!r}")
        if plan not in PLANS:
            raise ValueError(f"plan must be one of {', '.join(PLANS)}, got {plan!r}")
        #: The subscription level; below ``enterprise`` the events API answers 403.
        #: Tests may change it at run time (a downgrade, an upgrade).
        self.plan: Plan = plan
        #: False: the events API refuses reads without ``objectId`` (400), as a portal
        #: might; tests set it to exercise the connector's per-contact fallback.
        self.portal_wide_events = True
        self.token = token
        self.oauth = oauth
        #: Issued OAuth access tokens -> expiry (seconds on `clock`).
        self.access_tokens: dict[str, float] = {}
        #: Armed by tests: every issued access token expires at a chosen request.
        self.expiry = ExpiryTrap()
        #: How batch update answers an invalid value; tests may change it at run time.
        self.invalid_mode: InvalidMode = invalid_mode
        #: Associations per input and page of a v4 batch read; may change at run time.
        self.associations_per_input_page = associations_per_input_page
        #: Legacy routes past their sunset (``sunsets.mark()``: every one).
        self.sunsets = versions.Sunsets()
        #: The portal's validation rules (enforced on dated write paths); tests append.
        self.validation_rules: list[versions.ValidationRule] = []
        self.tier: Tier = tier
        self.clock = clock
        self.rate_limits = rate_limits
        self.store = Store(clock, search_lag_s=search_lag_s)
        self.burst = TokenBucket(BURST[tier], BURST_WINDOW_S, clock=clock)
        self.search_bucket = TokenBucket(SEARCH_PER_SECOND, 1.0, clock=clock)
        self.daily = DailyCounter(DAILY[tier])
        super().__init__(faults, sleep=sleep)
        if dataset is not None:
            from syncd.sandbox.hubspot.seed import seed

            seed(self.store, dataset)

    # -- routes --------------------------------------------------------------------------
    def register(self, router: Router) -> None:
        CrmRoutes(
            self.store,
            self.lock,
            self.faults,
            lambda: self.invalid_mode,
            lambda: tuple(self.validation_rules),
        ).register(router)
        MetaRoutes(self.store, self.lock, lambda: self.associations_per_input_page).register(router)
        for path in sorted(TOKEN_PATHS):
            router.add("POST", path, self.issue_token)
        MarketingRoutes(
            self.store, self.lock, lambda: self.plan, lambda: self.portal_wide_events
        ).register(router)

    # -- OAuth -----------------------------------------------------------------------------
    def issue_token(self, request: Request) -> Response:
        """`POST /oauth/v1/token` with grant_type=refresh_token (form-encoded)."""
        form = {k: v[0] for k, v in parse_qs(request.text(), keep_blank_values=True).items()}
        app = self.oauth
        if form.get("grant_type") != "refresh_token":
            return Response(
                400, {"status": "BAD_GRANT_TYPE", "message": "grant_type must be refresh_token"}
            )
        if (
            app is None
            or form.get("client_id") != app.client_id
            or form.get("client_secret") != app.client_secret
        ):
            return Response(
                400, {"status": "BAD_CLIENT_ID", "message": "missing or unknown client id"}
            )
        if form.get("refresh_token") != app.refresh_token:
            return Response(
                400,
                {"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token"},
            )
        token = "oauth-" + secrets.token_hex(12)
        with self.lock:
            self.access_tokens[token] = self.clock() + app.token_ttl_s
        body = {
            "token_type": "bearer",
            "refresh_token": app.refresh_token,
            "access_token": token,
            "expires_in": int(app.token_ttl_s),
            "token_use": "access_token",
        }
        return Response(200, body)

    @staticmethod
    def _bearer(request: Request) -> str | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return value.strip() if scheme.lower() == "bearer" else None

    # -- hooks ---------------------------------------------------------------------------
    def authenticate(self, request: Request) -> None:
        if request.path in TOKEN_PATHS:
            return
        value = self._bearer(request)
        if value is not None and value == self.token:
            return
        with self.lock:
            expires = self.access_tokens.get(value or "")
        if expires is not None:
            now = self.clock()
            if now < expires and self.expiry.springs(request):
                with self.lock:
                    for issued, until in self.access_tokens.items():
                        self.access_tokens[issued] = min(until, now)
                expires = now
            late = now - expires
            if late < 0:
                return
            ago = math.ceil(late)
            message = f"The OAuth token used to make this call expired {ago} second(s) ago."
            raise HttpError(401, errors.body(401, message, "EXPIRED_AUTHENTICATION"))
        raise HttpError(401, errors.body(401, AUTH_MESSAGE, "INVALID_AUTHENTICATION"))

    def admit(self, request: Request, template: str) -> Response | None:
        gone = self.sunsets.refusal(template)
        if gone is not None:
            return gone
        if not self.rate_limits or request.path in TOKEN_PATHS:
            return None
        if _is_search(template):
            admission = self.search_bucket.take()
            policy, label = "SECONDLY", "secondly"
        else:
            admission = self.burst.take()
            policy, label = "TEN_SECONDLY_ROLLING", "ten_secondly_rolling"
        if admission.allowed:
            if not self.daily.take():
                return self._limited("DAILY", "daily", 3600.0)
            return None
        return self._limited(policy, label, admission.retry_after_s)

    def _limited(self, policy: str, label: str, retry_after_s: float) -> Response:
        body = {
            "status": "error",
            "message": f"You have reached your {label} limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": errors.correlation_id(),
            "policyName": policy,
            "groupName": "publicapi:private-app:sandbox",
        }
        retry = str(max(1, math.ceil(retry_after_s)))
        return Response(429, body, {"Retry-After": retry})

    def error_body(self, status: int, message: str) -> Any:
        if status == 429:
            return {
                "status": "error",
                "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": errors.correlation_id(),
                "policyName": "TEN_SECONDLY_ROLLING",
            }
        return errors.body(status, message)

    def decorate(self, request: Request, response: Response) -> None:
        """Rate-limit headers as HubSpot sends them: none on search answers or the token
        endpoint, and no `-Daily` ones on calls made with an OAuth access token."""
        headers = response.headers
        headers.setdefault("X-HubSpot-Correlation-Id", errors.correlation_id())
        if request.path.endswith("/search") or request.path in TOKEN_PATHS:
            return
        headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = str(int(BURST_WINDOW_S * 1000))
        headers["X-HubSpot-RateLimit-Max"] = str(self.burst.capacity)
        headers["X-HubSpot-RateLimit-Remaining"] = str(self.burst.remaining())
        if self._bearer(request) == self.token:
            headers["X-HubSpot-RateLimit-Daily"] = str(self.daily.limit)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(self.daily.remaining)

    def object_counts(self) -> Mapping[str, int]:
        counts = {kind: self.store.count(kind) for kind in OBJECT_TYPES}
        counts["email_events"] = len(self.store.email_events)
        counts["forms"] = len(self.store.forms)
        counts["form_submissions"] = sum(len(f.submissions) for f in self.store.forms.values())
        counts["page_views"] = len(self.store.page_views)
        return counts

    def reset_limits(self) -> None:
        """Refill every bucket (e.g. between benchmark phases)."""
        self.burst.reset()
        self.search_bucket.reset()
        self.daily.used = 0
