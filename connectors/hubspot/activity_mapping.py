"""HubSpot engagements, email events, form submissions and page views -> canonical activities
(docs/scoring.md, "Contacts"). Pure: no I/O, no clock; bad data never raises (an
engagement without a usable date is left out with a warning naming it and the field).

Defaults (config can change the patterns):

| HubSpot                                   | canonical                                  |
|-------------------------------------------|--------------------------------------------|
| call                                      | call (subject)                             |
| meeting titled "Webinar…" / "Event…"      | webinar_attended / event_attended          |
| other meeting                             | meeting (subject)                          |
| email engagement, INCOMING_EMAIL          | email_reply (subject); outgoing: none      |
| note "<canonical type>: k=v; …"           | that type with those attributes            |
| other notes, tasks                        | none (internal work, not engagement)       |
| email event OPEN / CLICK                  | email_open / email_click (url), campaign   |
| email event STATUSCHANGE unsubscribed     | unsubscribe                                |
| OPEN / CLICK with ``filteredEvent``       | none unless configured (bots, pre-fetches) |
| other email events (SENT, DELIVERED…)     | none                                       |
| form submission, name matches a pattern   | demo_request, or the configured type       |
| "Content download: <kind>" submission     | content_download (asset, kind)             |
| other submissions                         | form_submit (form)                         |
| web event e_visited_page                  | page_view (url)                            |
| contact's last page seen (no events API)  | page_view (url) at its time last seen      |
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.hubspot.mapping import Props, iso, parse_time, to_ms

log = logging.getLogger("connectors.hubspot")

#: Activity types a note may name (the seed and many integrations log these as notes).
NOTE_TYPES = frozenset(
    {
        "chat",
        "support_ticket",
        "product_usage",
        "trial_signup",
        "demo_request",
        "webinar_registered",
        "webinar_attended",
        "event_attended",
        "content_download",
    }
)
MEETING_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^\s*webinar\b", "webinar_attended"),
    (r"^\s*event\b", "event_attended"),
)
#: Email event types that can become activities (the others are send-side events).
ENGAGING_EVENTS = frozenset({"OPEN", "CLICK", "STATUSCHANGE"})


@dataclass(frozen=True, slots=True)
class Activity:
    """One canonical activity before it is tied to contacts."""

    key: str
    data: dict[str, Any]


def _when(props: Props, *names: str) -> str | None:
    for name in names:
        moment = parse_time(props.get(name))
        if moment is not None:
            return iso(moment)
    return None


def _string(value: object) -> str:
    """A property's string ("" for a value that is no string: HubSpot sends strings)."""
    return value if isinstance(value, str) else ""


def _first(props: Props, *names: str) -> str:
    for name in names:
        value = _string(props.get(name)).strip()
        if value:
            return value[:500]
    return ""


def _match(patterns: Sequence[tuple[str, str]], text: str) -> str | None:
    for pattern, kind in patterns:
        if re.search(pattern, text, re.IGNORECASE):
            return kind
    return None


def engagement(object_type: str, record_id: str, props: Props) -> Activity | None:
    """An engagement (calls, meetings, emails, notes, tasks) as an activity, or None."""
    at = _when(props, "hs_timestamp", "hs_createdate", "createdate")
    if at is None:
        shown = repr(props.get("hs_timestamp"))[:40]
        log.warning(
            "%s %s skipped: hs_timestamp: no usable date-time (%s) and no creation date",
            object_type,
            record_id,
            shown,
            extra={"event": "skipped", "record_id": record_id, "kind": object_type},
        )
        return None
    key = f"hs:{object_type}:{record_id}"
    if object_type == "calls":
        return Activity(key, {"type": "call", "at": at, "subject": _first(props, "hs_call_title")})
    if object_type == "meetings":
        title = _first(props, "hs_meeting_title")
        kind = _match(MEETING_PATTERNS, title) or "meeting"
        data: dict[str, Any] = {"type": kind, "at": at, "subject": title}
        if kind != "meeting":
            data["campaign"] = title.split(":", 1)[-1].strip()
        return Activity(key, data)
    if object_type == "emails":
        if _string(props.get("hs_email_direction")) != "INCOMING_EMAIL":
            return None
        subject = _first(props, "hs_email_subject")
        return Activity(key, {"type": "email_reply", "at": at, "subject": subject})
    if object_type == "notes":
        return _note(key, at, _string(props.get("hs_note_body")))
    return None


def _note(key: str, at: str, body: str) -> Activity | None:
    text = re.sub(r"<[^>]+>", "", body).strip()
    head, sep, rest = text.partition(":")
    kind = head.strip().lower()
    if not sep or kind not in NOTE_TYPES:
        if text.lower() in NOTE_TYPES:
            return Activity(key, {"type": text.lower(), "at": at})
        return None
    data: dict[str, Any] = {"type": kind, "at": at}
    for part in rest.split(";"):
        name, eq, value = part.partition("=")
        name = name.strip()
        if eq and name.isidentifier() and name not in ("type", "at"):
            data[name] = _number(value.strip())
    return Activity(key, data)


def _number(value: str) -> Any:
    try:
        number = float(value)
    except ValueError:
        return value[:500]
    return int(number) if number.is_integer() else number


def email_event(
    event: Mapping[str, Any], campaign: str | None, include_filtered: bool
) -> Activity | None:
    """A legacy email event as an activity (None for send-side and filtered events)."""
    kind = str(event.get("type", ""))
    if kind in ("OPEN", "CLICK") and event.get("filteredEvent") and not include_filtered:
        return None
    created = event.get("created")
    moment = parse_time(str(created)) if created is not None else None
    if moment is None:
        return None
    data: dict[str, Any] = {"at": iso(moment)}
    if kind == "OPEN":
        data["type"] = "email_open"
    elif kind == "CLICK":
        data["type"] = "email_click"
        url = str(event.get("url") or "")
        if url:
            data["url"] = url[:2000]
    elif kind == "STATUSCHANGE" and _unsubscribed(event):
        data["type"] = "unsubscribe"
    else:
        return None
    if campaign:
        data["campaign"] = campaign
    return Activity(f"hs:email_event:{event.get('id')}", data)


def _unsubscribed(event: Mapping[str, Any]) -> bool:
    if str(event.get("portalSubscriptionStatus", "")).upper() == "UNSUBSCRIBED":
        return True
    for sub in event.get("subscriptions") or []:
        if isinstance(sub, Mapping) and str(sub.get("status", "")).upper() == "UNSUBSCRIBED":
            return True
    return False


def submission_email(submission: Mapping[str, Any]) -> str | None:
    """The e-mail address a form submission was made with."""
    for item in submission.get("values") or []:
        if isinstance(item, Mapping) and item.get("name") == "email" and item.get("value"):
            return str(item["value"]).strip().lower()
    return None


def form_submission(
    form_name: str,
    submission: Mapping[str, Any],
    demo_pattern: str,
    patterns: Sequence[tuple[str, str]] = (),
) -> Activity | None:
    """A form submission as an activity typed by the form's name."""
    submitted = submission.get("submittedAt")
    moment = parse_time(str(submitted)) if submitted is not None else None
    conversion = submission.get("conversionId")
    if moment is None or not conversion:
        return None
    values = {
        str(v.get("name")): str(v.get("value") or "")
        for v in submission.get("values") or []
        if isinstance(v, Mapping)
    }
    kind = "demo_request" if re.search(demo_pattern, form_name, re.IGNORECASE) else None
    kind = kind or _match(patterns, form_name) or "form_submit"
    data: dict[str, Any] = {"type": kind, "at": iso(moment), "form": form_name[:500]}
    if kind == "content_download":
        content = (values.get("content_type") or form_name.rsplit(":", 1)[-1]).strip().lower()
        data["kind"] = content.replace(" ", "_") if content else "content"
        if values.get("asset"):
            data["asset"] = values["asset"][:500]
    page = str(submission.get("pageUrl") or "")
    if page:
        data["url"] = page[:2000]
    return Activity(f"hs:form:{conversion}", data)


def page_view(event: Mapping[str, Any]) -> Activity | None:
    """A web analytics ``e_visited_page`` event as a page view."""
    props = event.get("properties")
    if not isinstance(props, Mapping):
        props = {}
    url = str(props.get("hs_url") or props.get("hs_page_url") or "")
    moment = parse_time(str(event.get("occurredAt") or ""))
    if moment is None or not url or not event.get("id"):
        return None
    data = {"type": "page_view", "at": iso(moment), "url": url[:2000]}
    return Activity(f"hs:page_view:{event['id']}", data)


def last_page_view(contact_id: str, props: Props) -> Activity | None:
    """The contact's last page seen (``hs_analytics_last_url`` at
    ``hs_analytics_last_timestamp``) as a page view: what a portal without the events
    API (below Enterprise) tells of a contact's visits. Its key names the visit time,
    so a later visit is a new activity and a re-read the same one."""
    url = (props.get("hs_analytics_last_url") or "").strip()
    moment = parse_time(props.get("hs_analytics_last_timestamp"))
    if moment is None or not url:
        return None
    data = {"type": "page_view", "at": iso(moment), "url": url[:2000]}
    return Activity(f"hs:last_page:{contact_id}:{to_ms(moment)}", data)


def conversions(props: Props, lo_ms: int, full: bool) -> list[str]:
    """Names of the forms (``form`` or ``form: page``) a contact converted on inside
    the window, from its first and recent conversion properties (every one a full
    pull sees)."""
    out = []
    for name_key, date_key in (
        ("first_conversion_event_name", "first_conversion_date"),
        ("recent_conversion_event_name", "recent_conversion_date"),
    ):
        name = (props.get(name_key) or "").strip()
        moment = parse_time(props.get(date_key))
        if name and (full or (moment is not None and to_ms(moment) >= lo_ms)):
            out.append(name)
    return out


def visited(props: Props, lo_ms: int, full: bool) -> bool:
    """Whether a contact's page-view counter may have moved inside the window."""
    try:
        count = int(float(props.get("hs_analytics_num_page_views") or 0))
    except ValueError:
        return False
    if count <= 0:
        return False
    if full:
        return True
    last = parse_time(props.get("hs_analytics_last_visit_timestamp"))
    return last is not None and to_ms(last) >= lo_ms


def seen_since(props: Props, since_ms: int) -> bool:
    """Whether the contact viewed a page at or after ``since_ms``: HubSpot moves its
    ``hs_analytics_last_timestamp`` (Time Last Seen) to each page view."""
    last = parse_time(props.get("hs_analytics_last_timestamp"))
    return last is not None and to_ms(last) >= since_ms
