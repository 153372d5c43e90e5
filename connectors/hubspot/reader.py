"""Paged reads of HubSpot data, each page one call (or a bounded batch of calls).

* ``search_window``: records whose modification date lies in a closed window, sorted by
  ``hs_object_id`` (the one sort HubSpot allows) and paged by id (``hs_object_id > last``),
  so every query starts afresh: the 10,000-results cap of one query is never reached, and
  thousands of records sharing one millisecond still terminate.
  A full pull searches engagements and deals in the window from 0.
* ``list_all``: the list endpoint (100 per page, no cap) for full pulls of companies and
  contacts and for archived records (search does not return them).
Every call names an endpoint of the version's path table (``client.send``, paths.py).

* ``associated_contacts``: engagement -> contact ids, association batch read (<= 1,000 ids a call),
  following each input's own paging.
* ``contact_ids_by_email``: batch read by ``idProperty=email`` (<= 100 a call).
* ``email_events``, ``forms``, ``submissions``, ``page_views`` (one contact's),
  ``portal_page_views`` (every contact's, by event type and time window, no ``objectId``):
  the marketing endpoints (web-analytics events are HubSpot Enterprise only).
  The first three have no dated equivalent yet: once HubSpot stops serving them
  (``EndpointGone``) they read nothing, with a warning, and the cycle goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.hubspot import limits
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.paths import EndpointGone

log = logging.getLogger("connectors.hubspot")

Row = tuple[str, dict[str, str | None]]  # (id, properties)


@dataclass(frozen=True, slots=True)
class RowPage:
    rows: list[Row]
    #: Where the next page starts (None: this was the last page).
    next: str | None


def _rows(results: Iterable[Any] | None) -> list[Row]:
    return [(str(r["id"]), dict(r.get("properties") or {})) for r in results or []]


def _skipped(exc: EndpointGone) -> None:
    """A marketing endpoint HubSpot no longer serves: the stage reads nothing."""
    log.warning("%s; its activities are not read", exc)


def _iso(ms: int) -> str:
    """Epoch milliseconds as the ISO-8601 date-time the events API takes."""
    stamp = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _next(answer: Mapping[str, Any]) -> str | None:
    after = ((answer.get("paging") or {}).get("next") or {}).get("after")
    return str(after) if after else None


def search_window(
    client: HubSpotClient,
    object_type: str,
    modified: str,
    lo_ms: int,
    hi_ms: int,
    properties: Sequence[str],
    after_id: str | None,
) -> Iterator[RowPage]:
    """Pages of records with ``lo_ms <= modified <= hi_ms``, ids above ``after_id``."""
    last = after_id
    while True:
        filters: list[dict[str, str]] = [
            {
                "propertyName": modified,
                "operator": "BETWEEN",
                "value": str(lo_ms),
                "highValue": str(hi_ms),
            }
        ]
        if last is not None:
            filters.append({"propertyName": "hs_object_id", "operator": "GT", "value": last})
        body = {
            "filterGroups": [{"filters": filters}],
            "sorts": ["hs_object_id"],  # ascending; the specs type sorts as strings
            "properties": list(properties),
            "limit": limits.SEARCH_PAGE_MAX,
            "after": "0",  # each query starts afresh (paged by id); the spec requires it
        }
        answer = client.send(
            "search", "objects.search", path={"object_type": object_type}, body=body
        )
        rows = _rows(answer.get("results"))
        full = len(rows) == limits.SEARCH_PAGE_MAX and _next(answer) is not None
        if rows:
            last = rows[-1][0]
        yield RowPage(rows, last if full else None)
        if not full:
            return


def list_all(
    client: HubSpotClient,
    object_type: str,
    properties: Sequence[str],
    after: str | None,
    *,
    archived: bool = False,
) -> Iterator[RowPage]:
    """Every (live, or only archived) record through the list endpoint, 100 a page."""
    token = after
    while True:
        query: list[tuple[str, Any]] = [
            ("limit", limits.LIST_PAGE_MAX),
            ("archived", "true" if archived else "false"),
        ]
        if properties:
            query.append(("properties", list(properties)))
        if token:
            query.append(("after", token))
        answer = client.send("read", "objects.list", path={"object_type": object_type}, query=query)
        nxt = _next(answer)
        if archived:
            results = answer.get("results") or []
            rows = [(str(r["id"]), {"archivedAt": r.get("archivedAt")}) for r in results]
            yield RowPage(rows, nxt)
        else:
            yield RowPage(_rows(answer.get("results")), nxt)
        if not nxt:
            return
        token = nxt


def associated_contacts(
    client: HubSpotClient, object_type: str, ids: Sequence[str]
) -> dict[str, list[str]]:
    """Engagement id -> associated contact ids, for up to any number of ids."""
    found: dict[str, list[str]] = {i: [] for i in ids}
    pending: list[dict[str, str]] = [{"id": i} for i in ids]
    while pending:
        chunk = pending[: limits.ASSOCIATION_BATCH_MAX]
        pending = pending[limits.ASSOCIATION_BATCH_MAX :]
        answer = client.send(
            "read",
            "associations.batch_read",
            path={"from_type": object_type, "to_type": "contacts"},
            body={"inputs": chunk},
        )
        for result in answer.get("results") or []:
            source = str(result["from"]["id"])
            targets = (str(t["toObjectId"]) for t in result.get("to") or [])
            found.setdefault(source, []).extend(targets)
            after = _next(result)
            if after is not None:
                pending.append({"id": source, "after": after})
    return found


def contact_ids_by_email(
    client: HubSpotClient, emails: Iterable[str], cache: dict[str, str | None]
) -> None:
    """Fill ``cache`` (e-mail -> contact id or None) for ``emails`` not in it yet."""
    wanted = sorted({e for e in emails if e and e not in cache})
    for start in range(0, len(wanted), limits.BATCH_MAX):
        chunk = wanted[start : start + limits.BATCH_MAX]
        body = {
            "idProperty": "email",
            "inputs": [{"id": e} for e in chunk],
            "properties": ["email"],
            "propertiesWithHistory": [],  # required by HubSpot's spec
        }
        answer = client.send(
            "read", "objects.batch_read", path={"object_type": "contacts"}, body=body
        )
        for email in chunk:
            cache[email] = None
        for result in answer.get("results") or []:
            email = str((result.get("properties") or {}).get("email") or "").lower()
            if email:
                cache[email] = str(result["id"])


def email_events(
    client: HubSpotClient,
    lo_ms: int,
    hi_ms: int,
    offset: str | None,
    event_type: str | None = None,
) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
    """Pages of legacy email events in ``[lo_ms, hi_ms]`` (of ``event_type`` only, when
    given) and the next offset token."""
    token = offset
    while True:
        params = [
            ("startTimestamp", str(lo_ms)),
            ("endTimestamp", str(hi_ms)),
            ("limit", str(limits.EMAIL_EVENTS_PAGE_MAX)),
        ]
        if event_type:
            params.append(("eventType", event_type))
        if token:
            params.append(("offset", token))
        try:
            answer = client.send("read", "email.events", query=params) or {}
        except EndpointGone as exc:
            _skipped(exc)
            return
        events = [e for e in answer.get("events") or [] if isinstance(e, dict)]
        more = bool(answer.get("hasMore")) and bool(answer.get("offset"))
        token = str(answer["offset"]) if more else None
        yield events, token
        if token is None:
            return


def campaign_name(
    client: HubSpotClient, campaign_id: int, cache: dict[int, str | None]
) -> str | None:
    """An e-mail campaign's name (cached for the connector's life)."""
    if campaign_id not in cache:
        path = {"campaign_id": str(int(campaign_id))}
        try:
            answer = client.send("meta", "email.campaign", path=path)
        except EndpointGone as exc:
            _skipped(exc)
            answer = None
        name = answer.get("name") if isinstance(answer, Mapping) else None
        cache[campaign_id] = str(name) if name else None
    return cache[campaign_id]


def campaign_names(client: HubSpotClient) -> dict[int, str]:
    """E-mail campaign id -> name for every marketing e-mail (each names the legacy
    campaign ids it was sent under, ``allEmailCampaignIds``): one paged list instead
    of one read per campaign."""
    out: dict[int, str] = {}
    token: str | None = None
    while True:
        params: list[tuple[str, Any]] = [("limit", limits.MARKETING_EMAILS_PAGE_MAX)]
        if token:
            params.append(("after", token))
        answer = client.send("meta", "email.list", query=params) or {}
        for email in answer.get("results") or []:
            name = str(email.get("name") or "")
            for campaign in email.get("allEmailCampaignIds") or []:
                if name and str(campaign).isdigit():
                    out[int(campaign)] = name
        token = _next(answer)
        if not token:
            return out


def forms(client: HubSpotClient) -> list[tuple[str, str]]:
    """Every form as (id, name)."""
    out: list[tuple[str, str]] = []
    token: str | None = None
    while True:
        params = [("limit", str(limits.FORMS_PAGE_MAX))]
        if token:
            params.append(("after", token))
        try:
            answer = client.send("read", "forms.list", query=params) or {}
        except EndpointGone as exc:
            _skipped(exc)
            return out
        out += [(str(f["id"]), str(f.get("name") or "")) for f in answer.get("results") or []]
        token = _next(answer)
        if not token:
            return out


def submissions(
    client: HubSpotClient, form_id: str, lo_ms: int, hi_ms: int
) -> Iterator[list[dict[str, Any]]]:
    """Pages of a form's submissions in ``[lo_ms, hi_ms]`` (newest first, so paging stops
    at the first page that reaches back before ``lo_ms``)."""
    token: str | None = None
    while True:
        params = [("limit", str(limits.SUBMISSIONS_PAGE_MAX))]
        if token:
            params.append(("after", token))
        path = {"form_id": form_id}
        try:
            answer = client.send("read", "forms.submissions", path=path, query=params) or {}
        except EndpointGone as exc:
            _skipped(exc)
            return
        items = [s for s in answer.get("results") or [] if isinstance(s, dict)]
        yield [s for s in items if lo_ms <= int(s.get("submittedAt") or 0) <= hi_ms]
        token = _next(answer)
        oldest = min((int(s.get("submittedAt") or 0) for s in items), default=0)
        if not token or oldest < lo_ms:
            return


def page_views(
    client: HubSpotClient, contact_id: str, lo_ms: int, hi_ms: int
) -> list[dict[str, Any]]:
    """A contact's ``e_visited_page`` events in ``[lo_ms, hi_ms]``."""
    out: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        query: list[tuple[str, Any]] = [
            ("objectType", "contact"),
            ("objectId", str(int(contact_id))),
            ("eventType", "e_visited_page"),
            ("occurredAfter", _iso(lo_ms)),
            ("occurredBefore", _iso(hi_ms)),
            ("limit", limits.WEB_EVENTS_PAGE_MAX),
        ]
        if token:
            query.append(("after", token))
        answer = client.send("read", "web.events", query=query)
        out += [e for e in answer.get("results") or [] if isinstance(e, dict)]
        token = _next(answer)
        if not token:
            return out


def portal_page_views(
    client: HubSpotClient, lo_ms: int, hi_ms: int, after: str | None, *, limit: int = 0
) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
    """Pages of every contact's ``e_visited_page`` events in ``[lo_ms, hi_ms]`` (no
    ``objectId``: portal-wide) and the token of the next page. ``limit`` (> 0) reads one
    page of that size only (a probe)."""
    token = after
    while True:
        query: list[tuple[str, Any]] = [
            ("objectType", "contact"),
            ("eventType", "e_visited_page"),
            ("occurredAfter", _iso(lo_ms)),
            ("occurredBefore", _iso(hi_ms)),
            ("limit", limit or limits.WEB_EVENTS_PAGE_MAX),
        ]
        if token:
            query.append(("after", token))
        answer = client.send("read", "web.events", query=query)
        events = [e for e in answer.get("results") or [] if isinstance(e, dict)]
        token = None if limit else _next(answer)
        yield events, token
        if token is None:
            return
