"""The simple-salesforce adapter: login and re-login, the one retry policy, error
conversion, the budget guard and the calls the connector makes.

* Every call runs through ``call``: an expired session (401 INVALID_SESSION_ID)
  logs in again and repeats the same step (so a query page, a collection batch
  or a Bulk job step in flight is not lost); the tenacity policy retries 5xx
  answers, connection errors and UNABLE_TO_LOCK_ROW with exponential backoff
  (honouring ``Retry-After`` when sent) and a stop; REQUEST_LIMIT_EXCEEDED and
  validation errors are never retried.
* Errors leave as ``FatalError`` (auth, permissions, bad query/config),
  ``RetriableError`` (the policy gave up) or ``SkippableRecordError``.
* ``budget()`` turns ``Sforce-Limit-Info`` into the guard's verdict: stop once
  ``budget_share`` of the org's daily allocation is used.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import tenacity
from simple_salesforce.api import Salesforce
from simple_salesforce.bulk2 import _Bulk2Client
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceOperationError,
)

from connectors.base import FatalError, RetriableError
from connectors.salesforce import auth
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.transport import CountingSession, plain_http_base

T = TypeVar("T")
R = TypeVar("R")

#: Attempts of the retry policy (first try included) and its backoff bounds.
ATTEMPTS = 5
BACKOFF_MIN_S = 1.0
BACKOFF_MAX_S = 30.0
_RETRIABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION"})


class Transient(Exception):
    """A failure the retry policy may repeat (5xx, connection, row lock)."""


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
        return Transient(f"{what}: {describe_error(exc)}")
    if code == "REQUEST_LIMIT_EXCEEDED":
        return RetriableError(
            f"{what}: the org's daily API allocation is used up (REQUEST_LIMIT_EXCEEDED); "
            "syncd stops until it recovers"
        )
    return FatalError(f"{what}: Salesforce refused the request: {describe_error(exc)}")


@dataclass(frozen=True, slots=True)
class Budget:
    used: int | None
    limit: int | None
    calls_left: int | None
    stop: bool


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
    def _wait(self, state: tenacity.RetryCallState) -> float:
        hinted = self.session.retry_after
        if hinted is not None and hinted >= 0:
            return min(hinted, BACKOFF_MAX_S * 4)
        attempt = state.attempt_number
        return float(min(BACKOFF_MAX_S, BACKOFF_MIN_S * 2 ** (attempt - 1)))

    def policy(self) -> tenacity.Retrying:
        """The one retry policy: transient failures, ``ATTEMPTS`` tries, backoff."""
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(
                (Transient, requests.ConnectionError, requests.Timeout, auth.ServerError)
            ),
            stop=tenacity.stop_after_attempt(ATTEMPTS),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )

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
            self.policy()(attempt)
        return left

    def _retry(self, fn: Callable[[], T], what: str) -> T:
        try:
            return self.policy()(fn)
        except (Transient, requests.ConnectionError, requests.Timeout, auth.ServerError) as exc:
            detail = str(exc) if isinstance(exc, Transient) else type(exc).__name__
            raise RetriableError(f"{what}: gave up after {ATTEMPTS} attempts: {detail}") from None

    def call(self, what: str, fn: Callable[[Salesforce], T]) -> T:
        """Run one API step with re-login on an expired session and the retry policy."""

        def once() -> T:
            try:
                return fn(self.sf)
            except SalesforceError as exc:
                raise _convert(exc, what) from None

        for _ in range(2):
            try:
                return self._retry(once, what)
            except SessionExpired:
                self.login()
        raise FatalError(f"{what}: the session expired again right after logging in")

    # -- budget -------------------------------------------------------------------
    def budget(self) -> Budget:
        api = self.session.api
        if api.used is None or api.limit is None:
            return Budget(None, None, None, False)
        allowed = int(api.limit * self.options.budget_share)
        left = max(0, allowed - api.used)
        return Budget(api.used, api.limit, left, left <= 0)

    # -- REST -----------------------------------------------------------------------
    def query_pages(self, soql: str, *, include_deleted: bool) -> Iterator[dict[str, Any]]:
        """Each page (≤2,000 records) of one query, following nextRecordsUrl."""
        page: dict[str, Any] = self.call(
            "query", lambda sf: sf.query(soql, include_deleted=include_deleted)
        )
        yield page
        while not page.get("done", True):
            page = self.call("query", functools.partial(_more, url=str(page["nextRecordsUrl"])))
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
