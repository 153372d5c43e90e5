"""`HubSpotSandbox`: the fake portal as a `SandboxApp` (auth, rate limits, error shapes)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from connectors.hubspot import limits
from syncd.sandbox.faults import FaultSpec
from syncd.sandbox.http import HttpError, Request, Response, Router
from syncd.sandbox.hubspot import errors
from syncd.sandbox.hubspot.crm import CrmRoutes
from syncd.sandbox.hubspot.marketing import MarketingRoutes
from syncd.sandbox.hubspot.meta import MetaRoutes
from syncd.sandbox.hubspot.schema import OBJECT_TYPES
from syncd.sandbox.hubspot.store import Store
from syncd.sandbox.ratelimit import DailyCounter, TokenBucket
from syncd.sandbox.server import SandboxApp

if TYPE_CHECKING:
    from syncd.sandbox.generator import Dataset

Tier = Literal["free", "pro"]
BURST: dict[str, int] = limits.BURST_PER_WINDOW
DAILY: dict[str, int] = limits.DAILY
BURST_WINDOW_S = limits.BURST_WINDOW_S
SEARCH_PER_SECOND = limits.SEARCH_PER_SECOND
AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
    "you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


def _is_search(template: str) -> bool:
    return template.endswith("/search")


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
    ) -> None:
        if tier not in BURST:
            raise ValueError(f"tier must be 'free' or 'pro', got {tier!r}")
        self.token = token
        self.tier: Tier = tier
        self.clock = clock
        self.rate_limits = rate_limits
        self.store = Store(clock)
        self.burst = TokenBucket(BURST[tier], BURST_WINDOW_S, clock=clock)
        self.search_bucket = TokenBucket(SEARCH_PER_SECOND, 1.0, clock=clock)
        self.daily = DailyCounter(DAILY[tier])
        super().__init__(faults, sleep=sleep)
        if dataset is not None:
            from syncd.sandbox.hubspot.seed import seed

            seed(self.store, dataset)

    # -- routes --------------------------------------------------------------------------
    def register(self, router: Router) -> None:
        CrmRoutes(self.store, self.lock, self.faults).register(router)
        MetaRoutes(self.store, self.lock).register(router)
        MarketingRoutes(self.store, self.lock).register(router)

    # -- hooks ---------------------------------------------------------------------------
    def authenticate(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or value.strip() != self.token:
            raise HttpError(401, errors.body(401, AUTH_MESSAGE, "INVALID_AUTHENTICATION"))

    def admit(self, request: Request, template: str) -> Response | None:
        if not self.rate_limits:
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
        headers = response.headers
        headers.setdefault("X-HubSpot-Correlation-Id", errors.correlation_id())
        headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = str(int(BURST_WINDOW_S * 1000))
        headers["X-HubSpot-RateLimit-Max"] = str(self.burst.capacity)
        headers["X-HubSpot-RateLimit-Remaining"] = str(self.burst.remaining())
        headers["X-HubSpot-RateLimit-Daily"] = str(self.daily.limit)
        headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(self.daily.remaining)
        if request.path.endswith("/search"):
            headers["X-HubSpot-RateLimit-Secondly"] = str(self.search_bucket.capacity)
            headers["X-HubSpot-RateLimit-Secondly-Remaining"] = str(self.search_bucket.remaining())

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
