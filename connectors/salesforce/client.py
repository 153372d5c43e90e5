"""The simple-salesforce adapter: login and re-login, the kit's retry policy, error
conversion, the budget meter and the calls the connector makes.

* Every call runs through ``call``: an expired session (401 INVALID_SESSION_ID)
  logs in again and repeats the same step (so a query page, a collection batch
  or a Bulk job step in flight is not lost); the kit's retry policy retries 5xx
  answers, connection errors and UNABLE_TO_LOCK_ROW with jittered exponential
  backoff, and 429s (honouring ``Retry-After`` when sent, not counted as failed
  attempts); REQUEST_LIMIT_EXCEEDED and validation errors are never retried.
* Errors leave typed by the structured ``errorCode``: ``BudgetExhausted``
  (REQUEST_LIMIT_EXCEEDED, which also tells the meter), ``FieldsGone``
  (INVALID_FIELD), ``FatalError`` (auth, permissions, bad query/config),
  ``RateLimited``/``RetriableError`` (the policy gave up).
* ``meter`` (the kit's budget meter) takes ``Sforce-Limit-Info`` as the org's report
  and decides "stop": once ``budget_share`` of the daily allocation is used.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.bulk2 import _Bulk2Client
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceOperationError,
)

from connectors.base import (
    BudgetExhausted,
    FatalError,
    FieldsGone,
    RateLimited,
    RetriableError,
    Usage,
)
from connectors.kit.budget import BudgetMeter
from connectors.kit.deadline import DeadlineExceeded
from connectors.kit.paging import PageTrail
from connectors.kit.retry import Failure, Kind, RetryPolicy
from connectors.salesforce import auth
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.transport import CountingSession, plain_http_base

T = TypeVar("T")
R = TypeVar("R")

#: Attempts of the retry policy (first try included) and its backoff bounds.
ATTEMPTS = 5
BACKOFF_MIN_S = 1.0
BACKOFF_MAX_S = 30.0
#: 429 waits the policy rides out before giving up (they are not failed attempts).
RATE_LIMIT_WAITS = 5
_RETRIABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION"})
#: Error codes: the org's daily allocation is spent; a field the request names is unknown.
BUDGET_CODE = "REQUEST_LIMIT_EXCEEDED"
FIELD_CODE = "INVALID_FIELD"


class Transient(Exception):
    """A failure the retry policy may repeat (5xx, connection, row lock, 429)."""

    def __init__(self, message: str, *, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.rate_limited = rate_limited


class SessionExpired(Exception):
    """401 INVALID_SESSION_ID: log in again and repeat the step."""


def error_items(exc: SalesforceError) -> list[dict[str, Any]]:
    content = exc.content
    if isinstance(content, list):
        return [i for i in content if isinstance(i, dict)]
    if isinstance(content, dict):
        return [content]
    return []


def describe_error(exc: SalesforceError) -> str:
    """``STATUS errorCode: message`` from a simple-salesforce error, no URL, no token."""
    items = error_items(exc)
    if items:
        text = "; ".join(
            f"{i.get('errorCode') or i.get('error', '')}: "
            f"{i.get('message') or i.get('error_description', '')}"
            for i in items
        )
    else:
        text = str(exc.content)[:300] if isinstance(exc.content, str | bytes) else ""
    return f"HTTP {exc.status} {text}".strip()


def error_code(exc: SalesforceError) -> str:
    items = error_items(exc)
    return str(items[0].get("errorCode", "")) if items else ""


def _convert(exc: SalesforceError, what: str) -> Exception:
    code = error_code(exc)
    if isinstance(exc, SalesforceExpiredSession) or exc.status == 401:
        return SessionExpired()
    if exc.status >= 500 or code in _RETRIABLE_CODES or exc.status == 429:
        return Transient(f"{what}: {describe_error(exc)}", rate_limited=exc.status == 429)
    if code == BUDGET_CODE:
        return BudgetExhausted(
            f"{what}: the org's daily API allocation is used up (REQUEST_LIMIT_EXCEEDED); "
            "syncd stops until it recovers",
            code=code,
        )
    detail = f"{what}: Salesforce refused the request: {describe_error(exc)}"
    if code == FIELD_CODE:
        return FieldsGone(detail, code=code)
    return FatalError(detail, code=code)


class SalesforceClient:
    """One org: a logged-in simple-salesforce client plus the policy around it."""

    def __init__(
        self,
        options: SalesforceOptions,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        session: CountingSession | None = None,
    ) -> None:
        self.options = options
        self._clock = clock
        self.clock = clock
        self._sleep = sleep
        self.session = session or CountingSession(options.timeout_s)
        for url in (options.login_url, options.instance_url):
            if url and plain_http_base(url):
                self.session.allow_http(url)
            if url:
                self.session.trust(url)
        self._sf: Salesforce | None = None
        self.logins = 0
        self.user_id = ""
        self._reported: tuple[int | None, int | None] = (None, None)
        self.meter = BudgetMeter(None, options.budget_share, counts=self.session)
        self.session.on_answer = self.meter.answered
        self.policy = RetryPolicy(
            self._classify,
            sleep=sleep,
            max_attempts=ATTEMPTS,
            max_rate_limit_waits=RATE_LIMIT_WAITS,
            backoff_initial_s=BACKOFF_MIN_S,
            backoff_max_s=BACKOFF_MAX_S,
            retry_after_cap_s=BACKOFF_MAX_S * 4,
        )

    # -- session ------------------------------------------------------------------
    def login(self) -> Salesforce:
        """Log in (again) and build the simple-salesforce client for the new token."""
        where = f"login at {auth.token_url(self.options)} (check {auth.url_setting(self.options)})"
        token = self._retry(lambda: auth.login(self.options, self.session, self._clock), where)
        self.logins += 1
        self.user_id = token.user_id
        self.session.trust(token.instance_url)
        if plain_http_base(token.instance_url):
            self.session.allow_http(token.instance_url)
        self._sf = Salesforce(
            instance_url=token.instance_url,
            session_id=token.access_token,
            session=self.session,
            version=self.options.api_version,
        )
        return self._sf

    @property
    def sf(self) -> Salesforce:
        return self._sf if self._sf is not None else self.login()

    # -- the policy ---------------------------------------------------------------
    def _classify(self, exc: BaseException) -> Failure | None:
        if isinstance(exc, Transient) and exc.rate_limited:
            return Failure(Kind.RATE_LIMITED, self.session.retry_after)
        if isinstance(
            exc, (Transient, requests.ConnectionError, requests.Timeout, auth.ServerError)
        ):
            return Failure(Kind.TRANSIENT, self.session.retry_after)
        return None

    def retry_records(self, submit: Callable[[list[R]], list[R]], items: list[R]) -> list[R]:
        """Submit ``items``; ``submit`` returns those that failed on a row lock, which
        are resubmitted under the same policy. Returns the ones still locked."""
        left = items

        def attempt() -> None:
            nonlocal left
            left = submit(left)
            if left:
                raise Transient(f"{len(left)} rows still locked")

        with contextlib.suppress(Transient):
            self.policy.call(attempt)
        return left

    def _retry(self, fn: Callable[[], T], what: str) -> T:
        try:
            return self.policy.call(fn)
        except DeadlineExceeded as exc:
            raise RetriableError(f"{what}: gave up after {ATTEMPTS} attempts: {exc}") from None
        except (Transient, requests.ConnectionError, requests.Timeout, auth.ServerError) as exc:
            detail = str(exc) if isinstance(exc, Transient) else type(exc).__name__
            kind = RateLimited if isinstance(exc, Transient) and exc.rate_limited else None
            if kind is not None:
                raise kind(f"{what}: Salesforce kept answering 429: {detail}") from None
            raise RetriableError(f"{what}: gave up after {ATTEMPTS} attempts: {detail}") from None

    def call(self, what: str, fn: Callable[[Salesforce], T]) -> T:
        """Run one API step with re-login on an expired session and the retry policy."""

        def once() -> T:
            try:
                return fn(self.sf)
            except SalesforceError as exc:
                converted = _convert(exc, what)
                if isinstance(converted, BudgetExhausted):
                    self.meter.exhausted()
                raise converted from None
            finally:
                self._report()

        for _ in range(2):
            try:
                return self._retry(once, what)
            except SessionExpired:
                self.login()
        raise FatalError(f"{what}: the session expired again right after logging in")

    # -- budget -------------------------------------------------------------------
    def _report(self) -> None:
        """Hand the org's last ``Sforce-Limit-Info`` to the meter."""
        api = self.session.api
        seen = (api.used, api.limit)
        if api.used is not None and api.limit is not None and seen != self._reported:
            self._reported = seen
            self.meter.report(api.limit, api.limit - api.used)

    def usage(self) -> Usage:
        return self.meter.snapshot()

    # -- REST -----------------------------------------------------------------------
    def query_pages(self, soql: str, *, include_deleted: bool) -> Iterator[dict[str, Any]]:
        """Each page (≤2,000 records) of one query, following nextRecordsUrl; a
        ``nextRecordsUrl`` handed out twice, or more records than the query's
        ``totalSize``, ends the read with ``PagingLoop``."""
        page: dict[str, Any] = self.call(
            "query", lambda sf: sf.query(soql, include_deleted=include_deleted)
        )
        total = page.get("totalSize")
        trail = PageTrail("Salesforce query", total if isinstance(total, int) else None)
        trail.count(len(page.get("records") or []))
        yield page
        while not page.get("done", True):
            url = str(page["nextRecordsUrl"])
            trail.follow(url)
            page = self.call("query", functools.partial(_more, url=url))
            trail.count(len(page.get("records") or []))
            yield page

    def describe(self, sobject: str) -> dict[str, Any]:
        result = self.call(
            f"describe {sobject}", lambda sf: sf.restful(f"sobjects/{sobject}/describe")
        )
        if not isinstance(result, dict):
            raise FatalError(f"describe {sobject}: unexpected answer")
        return result

    def restful(self, what: str, path: str, method: str = "GET", **kwargs: Any) -> Any:
        return self.call(what, lambda sf: sf.restful(path, method=method, **kwargs))

    def tooling(self, what: str, path: str, method: str, data: Any) -> Any:
        return self.call(what, lambda sf: sf.toolingexecute(path, method=method, data=data))

    def bulk2(self, sobject: str) -> _Bulk2Client:
        """A Bulk 2.0 client bound to the current session (build one per step)."""
        sf = self.sf
        headers = {"Authorization": "Bearer " + sf.session_id, "X-PrettyPrint": "1"}
        return _Bulk2Client(sobject, sf.bulk2_url, headers, self.session)

    def bulk_step(self, what: str, fn: Callable[[_Bulk2Client], T], sobject: str) -> T:
        """One Bulk 2.0 step, re-logging in and repeating it on an expired session."""

        def step(_: Salesforce) -> T:
            try:
                return fn(self.bulk2(sobject))
            except SalesforceOperationError as exc:
                raise FatalError(f"{what}: {exc}") from None

        return self.call(what, step)

    def close(self) -> None:
        self.session.close()


def _more(sf: Salesforce, *, url: str) -> Any:
    return sf.query_more(url, identifier_is_url=True)
