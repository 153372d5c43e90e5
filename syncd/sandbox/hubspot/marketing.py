"""Marketing data: legacy email events, forms and their submissions, web events v3."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from typing import Any

from connectors.hubspot import limits
from syncd.sandbox.http import Request, Response, Router
from syncd.sandbox.hubspot import errors, tokens, versions
from syncd.sandbox.hubspot.schema import iso_ms, parse_time
from syncd.sandbox.hubspot.store import EmailEvent, PageView, Store

API = "https://api.hubapi.com"
PORTAL_ID = 62515
EMAIL_EVENTS_MAX = limits.EMAIL_EVENTS_PAGE_MAX
SUBMISSIONS_MAX = limits.SUBMISSIONS_PAGE_MAX
FORMS_MAX = limits.FORMS_PAGE_MAX
WEB_EVENTS_MAX = limits.WEB_EVENTS_PAGE_MAX
EMAILS_MAX = limits.MARKETING_EMAILS_PAGE_MAX
PAGE_VIEW = "e_visited_page"
#: What HubSpot answers a portal below Enterprise on the events API (a 403 of the
#: MISSING_SCOPES category naming the web-analytics access the portal lacks; the
#: wording follows answers reported by integrators, e.g. PipedreamHQ/pipedream#11810).
BELOW_ENTERPRISE_MESSAGE = (
    "Your app doesn't the have scopes needed to make this call. Do you have access to the "
    "'business-intelligence' scope?  Missing auth details: event-detail-read,"
    "web-analytics-api-access"
)


def _int(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise errors.fail(400, f"{name} must be an integer, got {value!r}") from None


def _limit(request: Request, default: int, maximum: int) -> int:
    limit = _int(request.arg("limit"), "limit", default)
    if not 1 <= limit <= maximum:
        raise errors.fail(400, f"limit must be between 1 and {maximum}, got {limit}")
    return limit


def email_event_json(event: EmailEvent) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": event.id,
        "created": event.created_ms,
        "type": event.type,
        "recipient": event.recipient,
        "portalId": PORTAL_ID,
        "appId": 113,
        "appName": "BatchEmail",
        "emailCampaignId": event.campaign_id,
        "sentBy": {"id": f"sent-{event.campaign_id}", "created": event.created_ms},
        "filteredEvent": event.filtered,
    }
    if event.type == "CLICK" and event.url:
        out["url"] = event.url
    if event.type == "STATUSCHANGE":
        out.update(
            {
                "source": "SOURCE_RECIPIENT",
                "subscriptions": [{"id": 1, "status": "UNSUBSCRIBED"}],
                "portalSubscriptionStatus": "UNSUBSCRIBED",
            }
        )
    out.update(event.extra)
    return out


class MarketingRoutes:
    def __init__(
        self,
        store: Store,
        lock: threading.RLock,
        plan: Callable[[], str] = lambda: "enterprise",
        portal_wide: Callable[[], bool] = lambda: True,
    ) -> None:
        self.store = store
        self.lock = lock
        self.plan = plan
        self.portal_wide = portal_wide
        self._sorted: list[PageView] = []
        self._sorted_count = -1

    def register(self, router: Router) -> None:
        router.add("GET", "/email/public/v1/events", self.email_events)
        router.add("GET", "/email/public/v1/campaigns/{campaign_id}", self.campaign)
        versions.add(
            router, "GET", "/marketing/v3/emails", "/marketing/emails/{version}", self.emails
        )
        router.add("GET", "/marketing/v3/forms", self.forms)
        router.add("GET", "/form-integrations/v1/submissions/forms/{form_id}", self.submissions)
        versions.add(
            router,
            "GET",
            "/events/v3/events",
            "/events/event-occurrences/{version}",
            self.web_events,
        )

    # -- email events (legacy v1: offset / hasMore paging, newest first) ----------------
    def email_events(self, request: Request) -> Response:
        limit = _limit(request, 100, EMAIL_EVENTS_MAX)
        offset = tokens.decode(request.arg("offset"), "offset")
        start = _int(request.arg("startTimestamp"), "startTimestamp", 0)
        end = _int(request.arg("endTimestamp"), "endTimestamp", 2**62)
        event_type = (request.arg("eventType") or "").upper()
        recipient = (request.arg("recipient") or "").lower()
        campaign = request.arg("campaignId")
        with self.lock:
            chosen = [
                e
                for e in self.store.email_events
                if start <= e.created_ms <= end
                and (not event_type or e.type == event_type)
                and (not recipient or e.recipient.lower() == recipient)
                and (not campaign or str(e.campaign_id) == campaign)
            ]
            chosen.sort(key=lambda e: (-e.created_ms, e.id))
            page = chosen[offset : offset + limit]
            body: dict[str, Any] = {
                "hasMore": offset + limit < len(chosen),
                "offset": tokens.encode(offset + len(page)),
                "events": [email_event_json(e) for e in page],
            }
        return Response(200, body)

    def campaign(self, request: Request) -> Response:
        key = _int(request.params["campaign_id"], "campaignId", -1)
        with self.lock:
            name = self.store.campaigns.get(key)
        if name is None:
            raise errors.fail(404, f"campaign {key} not found", "OBJECT_NOT_FOUND")
        return Response(
            200,
            {
                "id": key,
                "appId": 113,
                "appName": "BatchEmail",
                "name": name,
                "subject": name,
                "type": "BATCH_EMAIL",
            },
        )

    def emails(self, request: Request) -> Response:
        """Marketing e-mails, one per campaign, each naming its legacy campaign id in
        ``allEmailCampaignIds``; paged with an opaque ``after``."""
        limit = _limit(request, 10, EMAILS_MAX)
        after = tokens.decode(request.arg("after"), "after")
        with self.lock:
            campaigns = sorted(self.store.campaigns.items())
        page = campaigns[after : after + limit]
        results = [
            {
                "id": str(10_000_000 + key),
                "name": name,
                "subject": name,
                "isAb": False,
                "isPublished": True,
                "allEmailCampaignIds": [str(key)],
                "primaryEmailCampaignId": str(key),
            }
            for key, name in page
        ]
        body: dict[str, Any] = {"results": results, "total": len(campaigns)}
        if after + limit < len(campaigns):
            nxt = tokens.encode(after + limit)
            body["paging"] = {
                "next": {"after": nxt, "link": f"{API}/marketing/v3/emails?after={nxt}"}
            }
        return Response(200, body)

    # -- forms ---------------------------------------------------------------------------
    def forms(self, request: Request) -> Response:
        limit = _limit(request, 20, FORMS_MAX)
        after = tokens.decode(request.arg("after"), "after")
        with self.lock:
            forms = sorted(self.store.forms.values(), key=lambda f: f.id)
            page = forms[after : after + limit]
            results = [
                {
                    "id": f.id,
                    "name": f.name,
                    "formType": "hubspot",
                    "createdAt": iso_ms(f.created_ms),
                    "updatedAt": iso_ms(f.created_ms),
                    "archived": False,
                    "fieldGroups": [],
                    "configuration": {},
                    "displayOptions": {},
                    "legalConsentOptions": {"type": "none"},
                }
                for f in page
            ]
        body: dict[str, Any] = {"results": results}
        if after + limit < len(forms):
            nxt = tokens.encode(after + limit)
            body["paging"] = {
                "next": {"after": nxt, "link": f"{API}/marketing/v3/forms?after={nxt}"}
            }
        return Response(200, body)

    def submissions(self, request: Request) -> Response:
        form_id = request.params["form_id"]
        limit = _limit(request, 20, SUBMISSIONS_MAX)
        after = tokens.decode(request.arg("after"), "after")
        with self.lock:
            form = self.store.forms.get(form_id)
            if form is None:
                raise errors.fail(404, f"Form {form_id} does not exist", "OBJECT_NOT_FOUND")
            items = sorted(
                form.submissions, key=lambda s: (-int(s["submittedAt"]), s["conversionId"])
            )
            page = items[after : after + limit]
        body: dict[str, Any] = {"results": page}
        if after + limit < len(items):
            nxt = tokens.encode(after + limit)
            link = f"{API}/form-integrations/v1/submissions/forms/{form_id}?after={nxt}"
            body["paging"] = {"next": {"after": nxt, "link": link}}
        return Response(200, body)

    # -- web analytics events v3 ---------------------------------------------------------
    def _views_in_order(self) -> list[PageView]:
        """The store's page views by (time, id); re-sorted when views were added."""
        views = self.store.page_views
        if self._sorted_count != len(views):
            self._sorted = sorted(views, key=lambda v: (v.occurred_ms, v.id))
            self._sorted_count = len(views)
        return self._sorted

    def web_events(self, request: Request) -> Response:
        """Event occurrences: ``objectId`` optional (portal-wide without it), filtered by
        ``objectType``, ``eventType`` and ``occurredAfter``/``occurredBefore``, oldest
        first unless ``sort`` ends in DESC, paged with an opaque ``after``. Enterprise
        only: a lower plan answers 403 (``BELOW_ENTERPRISE_MESSAGE``)."""
        if self.plan() != "enterprise":
            raise errors.fail(403, BELOW_ENTERPRISE_MESSAGE, "MISSING_SCOPES")
        limit = _limit(request, 20, WEB_EVENTS_MAX)
        after = tokens.decode(request.arg("after"), "after")
        object_type = (request.arg("objectType") or "").lower()
        if object_type not in ("", "contact", "contacts", "0-1"):
            return Response(200, {"results": []})
        object_id = request.arg("objectId")
        if not object_id and not self.portal_wide():
            raise errors.fail(400, "objectId is required", "VALIDATION_ERROR")
        event_type = request.arg("eventType")
        low = parse_time(request.arg("occurredAfter") or "") or 0
        high = parse_time(request.arg("occurredBefore") or "") or 2**62
        descending = (request.arg("sort") or "").upper().endswith("DESC")
        with self.lock:
            ordered = self._views_in_order()
            first = bisect.bisect_left(ordered, low, key=lambda v: v.occurred_ms)
            last = bisect.bisect_right(ordered, high, key=lambda v: v.occurred_ms)
            views = [
                v
                for v in ordered[first:last]
                if (not object_id or v.contact_id == object_id)
                and (not event_type or event_type == PAGE_VIEW)
            ]
        if descending:
            views.reverse()
        page = views[after : after + limit]
        results = [
            {
                "objectType": "CONTACT",
                "objectId": v.contact_id,
                "eventType": PAGE_VIEW,
                "occurredAt": iso_ms(v.occurred_ms),
                "id": v.id,
                "properties": {"hs_url": v.url, "hs_page_title": v.title, "hs_page_url": v.url},
            }
            for v in page
        ]
        body: dict[str, Any] = {"results": results}
        if after + limit < len(views):
            nxt = tokens.encode(after + limit)
            body["paging"] = {"next": {"after": nxt, "link": f"{API}/events/v3/events?after={nxt}"}}
        return Response(200, body)
