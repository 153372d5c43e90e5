"""The hubspot-api-client adapter: auth, pacing, the one retry policy, errors, call counting.

Every HubSpot call of the connector goes through ``HubSpotClient.call``:

1. the kit's pacer paces it (burst bucket; search calls the search bucket);
2. it is sent with the current bearer token and an explicit timeout, under the kit's
   overall ``Deadline`` (connect plus the whole answer; an answer trickled a byte at a
   time ends with ``DeadlineExceeded``, a transient failure, when ``timeout`` passed);
3. a 401 under OAuth refreshes the token and repeats the same call once (the page or
   batch in flight is not lost);
4. the kit's retry policy retries 429 (waiting ``Retry-After`` when given, else
   exponential backoff with jitter; these waits are not failed attempts), 5xx and
   connection errors, with the injected ``sleep``; other 4xx are not retried; a 429 of
   the ``DAILY`` policy tells the budget meter the allowance is spent;
5. what still fails is converted: ``FatalError`` (401/403, OAuth refresh refused),
   ``BudgetExhausted`` (daily allowance spent), ``RateLimited``/``RetriableError`` (the
   policy gave up), ``RequestRejected`` (another 4xx, for the caller to handle: a 409
   on create, a 400 on a batch).

The SDK's own urllib3 retries are off (``Retry(total=0)``) so this policy alone decides.
SDK API objects are built once, here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import urllib3
from hubspot import HubSpot
from urllib3.util.retry import Retry

from connectors.base import (
    BudgetExhausted,
    ConnectorError,
    FatalError,
    RateLimited,
    RequestRejected,
    RetriableError,
)
from connectors.hubspot import limits, paths
from connectors.hubspot.auth import SCOPE_NAMES, Issued, OAuthTokens, PrivateAppToken, TokenSource
from connectors.hubspot.config import HubSpotOptions
from connectors.hubspot.diagnose import from_hubspot, network_error
from connectors.hubspot.paging import paging_answer, paging_shape, paging_token
from connectors.hubspot.paths import EndpointGone
from connectors.kit.budget import BudgetMeter
from connectors.kit.deadline import Deadline, deadline_pools
from connectors.kit.pacing import Pacer, TokenBucket
from connectors.kit.paging import TokenChains
from connectors.kit.retry import Failure, Kind, RetryPolicy

__all__ = [
    "AccessDenied",
    "HubSpotClient",
    "RateLimited",
    "RequestRejected",
    "retry_after_s",
    "transient",
]

#: Object types the connector reads or writes, by the SDK's discovery attribute.
CRM_OBJECTS = ("contacts", "companies")
ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")
#: Longest wait honoured from a Retry-After header (longer ones end the retries).
MAX_RETRY_AFTER_S = 120.0


class AccessDenied(FatalError):
    """HubSpot answered 403: the credential's scopes or the portal's subscription do
    not allow the call (fatal unless the caller has another source for the data)."""


class _GiveUp(Exception):
    """Internal: a 429 that must not be retried (daily limit)."""

    def __init__(self, cause: Exception) -> None:
        super().__init__("daily limit")
        self.cause = cause


def _status(exc: BaseException) -> int | None:
    """The HTTP status of an SDK ``ApiException`` (each SDK package has its own class)."""
    status = getattr(exc, "status", None)
    if isinstance(status, int) and hasattr(exc, "body"):
        return status
    return None


def _body(exc: BaseException) -> Any:
    raw = getattr(exc, "body", None)
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return {"message": raw[:500]}
    return {}


def _header(exc: BaseException, name: str) -> str | None:
    headers = getattr(exc, "headers", None)
    if headers is None:
        return None
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value)
    return None


def transient(exc: BaseException) -> bool:
    """What the retry policy retries: 429, 5xx, connection errors."""
    if isinstance(exc, urllib3.exceptions.HTTPError):
        return True
    status = _status(exc)
    return status is not None and (status == 429 or status >= 500)


def classify(exc: BaseException) -> Failure | None:
    """The retry policy's view of an SDK failure."""
    if not transient(exc):
        return None
    if _status(exc) == 429:
        return Failure(Kind.RATE_LIMITED, retry_after_s(exc))
    return Failure(Kind.TRANSIENT)


def retry_after_s(exc: BaseException) -> float | None:
    """Seconds from a 429's ``Retry-After`` (None when absent or unparseable)."""
    if _status(exc) != 429:
        return None
    value = _header(exc, "Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _read(response: Any) -> tuple[Any, Mapping[str, str]]:
    """JSON body and headers of a raw urllib3 response; the connection goes back to its pool."""
    try:
        payload = response.data
    finally:
        response.release_conn()
    data = json.loads(payload) if payload else None
    return data, response.headers


def _bearer(token: str) -> dict[str, str]:
    return {"in": "header", "key": "Authorization", "value": f"Bearer {token}", "type": "oauth2"}


class HubSpotClient:
    """One portal: the SDK objects, the token source, the limiter and the usage meter."""

    def __init__(
        self,
        options: HubSpotOptions,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        max_attempts: int = 6,
    ) -> None:
        self.options = options
        self._sleep = sleep
        self.clock = clock
        #: Endpoints that answered 410 (sunset) during this client's life.
        self.gone: set[str] = set()
        #: Paged reads in flight: a paging token handed out twice ends the read.
        self.chains = TokenChains()
        self.timeout = options.timeout_s
        self.meter = BudgetMeter(limits.DAILY[options.tier], options.budget_share)
        burst = limits.BURST_PER_WINDOW[options.tier]
        self.burst = TokenBucket(
            burst, limits.BURST_WINDOW_S, clock=clock, sleep=sleep, reserve=max(1, burst // 50)
        )
        self.search = TokenBucket(
            limits.SEARCH_PER_SECOND, 1.0, clock=clock, sleep=sleep, reserve=1
        )
        # search calls count against the search limit only, as HubSpot counts them
        self.pacer = Pacer(self.burst, {"search": self.search, "auth": None})
        self.policy = RetryPolicy(
            classify,
            sleep=sleep,
            max_attempts=max_attempts,
            retry_after_cap_s=MAX_RETRY_AFTER_S,
        )
        no_retries = Retry(total=0, respect_retry_after_header=False, raise_on_status=False)
        sdk = HubSpot(host=options.base_url.rstrip("/"), retry=no_retries)
        crm = sdk.crm
        self.basic: dict[str, Any] = {"contacts": crm.contacts.basic_api}
        self.basic["companies"] = crm.companies.basic_api
        self.search_api: dict[str, Any] = {
            "contacts": crm.contacts.search_api,
            "companies": crm.companies.search_api,
        }
        self.batch: dict[str, Any] = {
            "contacts": crm.contacts.batch_api,
            "companies": crm.companies.batch_api,
        }
        objects = crm.objects
        for kind in ENGAGEMENTS:
            discovery = getattr(objects, kind)
            self.basic[kind] = discovery.basic_api
            self.search_api[kind] = discovery.search_api
        self.properties = crm.properties.core_api
        self.groups = crm.properties.groups_api
        self.associations = crm.associations.v4.batch_api
        self.events = sdk.events.events_api
        self._oauth_api = sdk.oauth.tokens_api
        self._raw = self.basic["contacts"].api_client
        for api in self._apis():
            manager = getattr(api.api_client.rest_client, "pool_manager", None)
            if manager is not None:
                deadline_pools(manager)
        #: The endpoints of ``options.api_version`` (see paths.py).
        self.paths = paths.table(options.api_version)
        self.tokens: TokenSource
        if options.oauth is not None:
            self.tokens = OAuthTokens(self._refresh, clock)
        else:
            secret = options.service_key or options.access_token
            assert secret is not None  # guaranteed by HubSpotOptions
            self.tokens = PrivateAppToken(secret)

    # -- the one way to call HubSpot -------------------------------------------------
    def call(self, kind: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call an SDK ``*_with_http_info`` method; returns the answer as parsed JSON.

        The SDK builds and sends the request (URL, serialisation, auth, timeout) and
        raises its ``ApiException`` for errors; the answer is parsed here as plain JSON
        (``_preload_content=False``): the SDK's model deserialisation costs about a
        millisecond per record, more than the HTTP round trip."""
        try:
            return self.policy.call(lambda: self._attempt(kind, fn, args, kwargs))
        except _GiveUp as stop:
            raise BudgetExhausted(
                "HubSpot's daily API allowance is spent; the next cycle resumes"
            ) from stop.cause
        except Exception as exc:
            if _status(exc) is None and not isinstance(exc, urllib3.exceptions.HTTPError):
                raise  # not an HTTP failure: a bug, not something to retry next cycle
            raise self._convert(exc) from exc

    def _attempt(
        self, kind: str, fn: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> Any:
        self.pacer.acquire(kind)
        for first in (True, False):
            token = self.tokens.token()
            self.meter.count(kind)
            try:
                with Deadline(self.timeout, what=f"HubSpot {kind} call to {self.options.base_url}"):
                    response = fn(
                        *args,
                        _request_timeout=self.timeout,
                        _request_auth=_bearer(token),
                        _preload_content=False,
                        **kwargs,
                    )
                    self._answered(getattr(response, "status", None))
                    data, headers = _read(response)
            except Exception as exc:
                status = _status(exc)
                self._answered(status)
                if status == 401 and first and self.tokens.invalidate(token):
                    continue  # same call, new token
                if status == 429:
                    self._rate_limited(exc)
                raise
            self._report(headers or {})
            return data
        raise AssertionError("unreachable")

    def _answered(self, status: int | None) -> None:
        """Tell the meter HubSpot's answer status (None or 0: no HTTP answer)."""
        if status:
            self.meter.answered(status)

    def _report(self, headers: Mapping[str, str]) -> None:
        """Hand the daily allowance to the meter when the headers carry it (private-app
        calls only: not search, not OAuth)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        limit = lowered.get("x-hubspot-ratelimit-daily")
        remaining = lowered.get("x-hubspot-ratelimit-daily-remaining")
        if limit is None or remaining is None:
            return
        try:
            self.meter.report(int(limit), int(remaining))
        except ValueError:
            return

    def _rate_limited(self, exc: Exception) -> None:
        body = _body(exc)
        policy = str(body.get("policyName", "")) if isinstance(body, dict) else ""
        if policy == "DAILY":
            self.meter.exhausted()
            raise _GiveUp(exc) from exc
        (self.search if policy == "SECONDLY" else self.burst).drain()

    def _convert(self, exc: Exception) -> ConnectorError:
        if isinstance(exc, urllib3.exceptions.HTTPError):
            return RetriableError(network_error(exc, self.options.base_url))
        status = _status(exc) or 0
        body = _body(exc)
        data = body if isinstance(body, dict) else {}
        hubspot = from_hubspot(_header(exc, "X-HubSpot-Correlation-Id"), data)
        if status in (401, 403, 404, 405) and not hubspot:
            return FatalError(
                f"{self.options.base_url} answered {status} without HubSpot's error shape: "
                "it does not look like HubSpot's API; check base_url"
            )
        message = str(data.get("message", ""))[:500]
        category = str(data.get("category", data.get("status", "")))
        if status == 0:  # the SDK's wrapper for TLS failures
            reason = message or str(getattr(exc, "reason", ""))[:200]
            return RetriableError(f"TLS error talking to HubSpot: {reason}")
        if status == 429:
            return RateLimited(f"HubSpot kept answering 429 ({message})")
        if status >= 500:
            return RetriableError(f"HubSpot answered {status} after retries: {message}")
        if status == 401:
            return FatalError(
                f"HubSpot refused the {self._credential()} (401 {category}): {message} "
                f"Check {self._credential()} in the connector's settings."
            )
        if status == 403:
            return AccessDenied(
                f"HubSpot denied access (403 {category}): {message} "
                f"Grant the {self._credential()} these scopes: {SCOPE_NAMES}.",
                code=category,
            )
        return RequestRejected(status, category, message, body, crm="HubSpot")

    def _credential(self) -> str:
        if self.options.service_key is not None:
            return "service key"
        if self.options.access_token is not None:
            return "private app access token"
        return "OAuth app (client id, secret, refresh token)"

    # -- OAuth -------------------------------------------------------------------------
    def _refresh(self) -> Issued:
        oauth = self.options.oauth
        assert oauth is not None
        form = {
            "grant_type": "refresh_token",
            "client_id": oauth.client_id,
            "client_secret": oauth.client_secret.get_secret_value(),
            "refresh_token": oauth.refresh_token.get_secret_value(),
        }

        endpoint = self.paths["oauth.token"]

        def attempt() -> Any:
            self.meter.count("auth")
            with Deadline(self.timeout, what=f"HubSpot token refresh at {self.options.base_url}"):
                try:
                    response = self._raw.call_api(
                        endpoint.path(),
                        endpoint.method,
                        {},
                        [],
                        {
                            "Accept": "application/json",
                            "Content-Type": "application/x-www-form-urlencoded",
                        },
                        post_params=list(form.items()),
                        response_types_map={200: "object"},
                        auth_settings=[],
                        _request_timeout=self.timeout,
                        _preload_content=False,
                    )
                except Exception as exc:
                    self._answered(_status(exc))
                    raise
                self._answered(getattr(response, "status", None))
                return _read(response)[0]

        try:
            answer = self.policy.call(attempt)
        except Exception as exc:
            status = _status(exc)
            if status is not None and 400 <= status < 500 and status != 429:
                body = _body(exc)
                data = body if isinstance(body, dict) else {}
                raise FatalError(
                    f"HubSpot refused the OAuth refresh ({status} {data.get('status', '')}): "
                    f"{str(data.get('message', ''))[:200]}. Re-authorise the app and update "
                    "the refresh token."
                ) from None
            raise self._convert(exc) from exc
        if not isinstance(answer, dict) or not answer.get("access_token"):
            raise FatalError("HubSpot's OAuth token endpoint answered without an access token")
        return Issued(str(answer["access_token"]), float(answer.get("expires_in") or 1800))

    # -- every endpoint of the path table -------------------------------------------------
    def send(
        self,
        kind: str,
        key: str,
        *,
        path: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, Any]] = (),
        body: Any = None,
    ) -> Any:
        """Call the endpoint ``key`` of the version's path table (see paths.py) through
        the SDK's ``ApiClient.call_api`` (its auth, transport and serialisation) and this
        client's policy; returns the answer as parsed JSON. List values in ``query`` are
        sent as repeated parameters."""
        endpoint = self.paths[key]
        now = datetime.fromtimestamp(self.clock(), tz=UTC)
        if key in self.gone or endpoint.gone(now):
            raise EndpointGone(endpoint, self.options.api_version)
        resource = endpoint.path(**(path or {}))
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        lists = {name: "multi" for name, value in query if isinstance(value, list | tuple)}

        def fetch(**extra: Any) -> Any:
            return self._raw.call_api(
                resource,
                endpoint.method,
                {},
                list(query),
                headers,
                body=body,
                response_types_map={200: "object", 201: "object", 207: "object"},
                auth_settings=["oauth2"],
                collection_formats=lists,
                **extra,
            )

        try:
            answer = self.call(kind, fetch)
        except RequestRejected as exc:
            if exc.status == 410 and endpoint.legacy:
                self.gone.add(key)
                raise EndpointGone(endpoint, self.options.api_version) from exc
            raise
        token = paging_token(query, body)
        next_token, records, total = paging_answer(answer)
        if token is not None or next_token is not None:  # a paged read
            shape = paging_shape(key, path, query, body)
            what = f"HubSpot {key} read"
            self.chains.step(shape, token, next_token, records=records, total=total, what=what)
        return answer

    # -- endpoints without a typed SDK client -------------------------------------------
    def get_json(self, kind: str, path: str, params: Sequence[tuple[str, str]]) -> Any:
        """GET a JSON endpoint the SDK has no client for (legacy email events, forms,
        submissions), through the SDK's own HTTP stack, auth and this policy."""

        def fetch(**extra: Any) -> Any:
            return self._raw.call_api(
                path,
                "GET",
                {},
                list(params),
                {"Accept": "application/json"},
                response_types_map={200: "object"},
                auth_settings=["oauth2"],
                **extra,
            )

        return self.call(kind, fetch)

    def _apis(self) -> list[Any]:
        """Every SDK API object this client built."""
        apis = [*self.basic.values(), *self.search_api.values(), *self.batch.values()]
        return [
            *apis,
            self.properties,
            self.groups,
            self.associations,
            self.events,
            self._oauth_api,
        ]

    def close(self) -> None:
        """Release the connection pools of every API object."""
        for api in self._apis():
            pool = getattr(api.api_client.rest_client, "pool_manager", None)
            if pool is not None:
                pool.clear()
