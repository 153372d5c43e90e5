"""The marketing stages of a pull (``pull.py``): e-mail events, form submissions and
page views, and the e-mail -> contact resolution they share."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Executor
from typing import Any

from connectors.base import ActivityRecord, FatalError, Page, RequestRejected
from connectors.hubspot import activity_mapping as acts
from connectors.hubspot import merges, reader
from connectors.hubspot.client import AccessDenied, HubSpotClient
from connectors.hubspot.config import HubSpotOptions
from connectors.hubspot.memory import Memory
from connectors.hubspot.plan import NO_PAGE_VIEWS, Plan

log = logging.getLogger("connectors.hubspot")

#: Email event types that can become activities, read one type at a time by a full pull.
EMAIL_EVENT_TYPES = ("OPEN", "CLICK", "STATUSCHANGE")
#: Form submissions gathered per page, so their contacts are looked up 100 at a time.
SUBMISSIONS_PER_PAGE = 1_000


class MarketingStages:
    """Stages ``Pull`` runs after the CRM objects; it provides these attributes."""

    client: HubSpotClient
    options: HubSpotOptions
    executor: Executor
    memory: Memory
    campaigns: dict[int, str | None]
    emails: dict[str, str | None]
    #: Conversion names of the contacts read this pull (None: contacts not read).
    converted: set[str] | None
    #: Whether a contact read this pull was seen since ``views_from`` (None: unknown).
    visited: bool | None
    views_from: int
    views_pending: int | None

    def plan(self) -> Plan:
        raise NotImplementedError

    def _learnt(self, plan: Plan) -> None:
        raise NotImplementedError

    def _page_views(self, contact_ids: list[str], lo: int, hi: int) -> list[ActivityRecord]:
        """Page views of the contacts whose visit counters moved (in parallel, bounded)."""
        fetched = self.executor.map(
            lambda cid: (cid, reader.page_views(self.client, cid, lo, hi)), contact_ids
        )
        out: list[ActivityRecord] = []
        for cid, events in fetched:
            for event in events:
                act = acts.page_view(event)
                if act is not None:
                    out.append(ActivityRecord(act.key, cid, act.data))
        return out

    # -- marketing -------------------------------------------------------------------------
    def _email_events(self, lo: int, hi: int, full: bool, pos: Any) -> Iterator[tuple[Page, Any]]:
        """A full pull reads each type in ``EMAIL_EVENT_TYPES`` (position ``{"t": index,
        "o": offset}``); an incremental one all types at once (one call when quiet)."""
        if not full or isinstance(pos, str):
            yield from self._email_event_pages(lo, hi, pos, None, lambda tok: tok)
            return
        start = pos if isinstance(pos, dict) else {}
        first = int(start.get("t", 0))
        for index in range(first, len(EMAIL_EVENT_TYPES)):
            offset = start.get("o") if index == first else None
            yield from self._email_event_pages(
                lo,
                hi,
                offset,
                EMAIL_EVENT_TYPES[index],
                lambda tok, i=index: {"t": i + (tok is None), "o": tok},
            )

    def _email_event_pages(
        self,
        lo: int,
        hi: int,
        offset: str | None,
        event_type: str | None,
        position: Any,
    ) -> Iterator[tuple[Page, Any]]:
        include = self.options.include_filtered_email_events
        for events, token in reader.email_events(self.client, lo, hi, offset, event_type):
            wanted = []
            for event in events:
                campaign_id = event.get("emailCampaignId")
                name = None
                if isinstance(campaign_id, int) and event.get("type") in acts.ENGAGING_EVENTS:
                    self._list_campaigns(campaign_id)
                    name = reader.campaign_name(self.client, campaign_id, self.campaigns)
                act = acts.email_event(event, name, include)
                if act is not None:
                    wanted.append((str(event.get("recipient") or "").lower(), act))
            yield Page(activities=self._by_email(wanted)), position(token)

    def _list_campaigns(self, campaign_id: int) -> None:
        """Every campaign's name from one list, once per connector, when an unknown
        campaign shows (what it does not name is then read one campaign at a time)."""
        if campaign_id in self.campaigns or self.memory.campaigns_listed:
            return
        self.memory.campaigns_listed = True
        try:
            named = reader.campaign_names(self.client)
        except (RequestRejected, FatalError) as exc:  # refused, scope, sunset
            log.warning(
                "HubSpot refused the marketing e-mails list (%s); names read one by one", exc
            )
            return
        for key, name in named.items():
            self.campaigns.setdefault(key, name)

    def _forms(self, lo: int, hi: int, full: bool) -> Iterator[tuple[Page, Any]]:
        """Every form's submissions (a full pull, or a resumed one that did not read
        its contacts); else only the forms the window's contacts converted on."""
        demo = self.options.demo_form_pattern
        patterns = list(self.options.form_types.items())
        wanted: list[tuple[str, acts.Activity]] = []
        for form_id, form_name in self._forms_to_read(full):
            for batch in reader.submissions(self.client, form_id, lo, hi):
                for item in batch:
                    act = acts.form_submission(form_name, item, demo, patterns)
                    email = acts.submission_email(item)
                    if act is not None and email:
                        wanted.append((email, act))
                if len(wanted) >= SUBMISSIONS_PER_PAGE:  # several forms share e-mail lookups
                    yield Page(activities=self._by_email(wanted)), None
                    wanted = []
        if wanted:
            yield Page(activities=self._by_email(wanted)), None

    def _forms_to_read(self, full: bool) -> list[tuple[str, str]]:
        converted = self.converted
        if full or converted is None:
            self.memory.forms = reader.forms(self.client)
            return self.memory.forms
        if not converted:
            return []
        known = self.memory.forms
        if known is None or not all(_form_of(name, known) for name in converted):
            known = self.memory.forms = reader.forms(self.client)
        return [f for f in known if any(_named(f[1], name) for name in converted)]

    def _by_email(self, wanted: list[tuple[str, acts.Activity]]) -> list[ActivityRecord]:
        fresh = {e for e, _ in wanted if e not in self.emails}
        reader.contact_ids_by_email(self.client, fresh, self.emails)
        merges.resolve_additional(self.client, fresh, self.emails)  # merged-away addresses
        out = []
        for email, act in wanted:
            cid = self.emails.get(email)
            if cid is not None:
                out.append(ActivityRecord(act.key, self.memory.current(cid), act.data))
        return out

    # -- page views ------------------------------------------------------------------------
    def _portal_page_views(self, hi: int, pos: Any) -> Iterator[tuple[Page, Any]]:
        """Every contact's page views from ``views_from`` to ``hi``, portal-wide
        (Enterprise); none, the window kept open for the next pull, when no contact read
        this pull was seen since its start. A 403 (the plan changed) or a refused form
        ends the stage: the next cycle reads the way the plan now allows."""
        plan = self.plan()
        if plan.page_views != "portal":
            return
        start = self.views_from
        if pos is None and self.visited is False:
            self.views_pending = start
            return
        try:
            for events, token in reader.portal_page_views(self.client, start, hi, pos):
                out = []
                for event in events:
                    act = acts.page_view(event)
                    cid = event.get("objectId")
                    if act is not None and cid is not None:
                        out.append(ActivityRecord(act.key, self.memory.current(str(cid)), act.data))
                yield Page(activities=out), token
        except AccessDenied:
            log.warning("HubSpot refused the events API (403): %s", NO_PAGE_VIEWS)
            self._learnt(Plan("none", self.client.clock()))
        except RequestRejected as exc:
            log.warning("HubSpot refused portal-wide page views (%s); reading per contact", exc)
            self._learnt(Plan("per_contact", self.client.clock()))


def _named(form_name: str, conversion: str) -> bool:
    """Whether a contact's conversion name (``form`` or ``form: page title``) names it."""
    return bool(form_name) and (conversion == form_name or conversion.startswith(form_name + ": "))


def _form_of(conversion: str, forms: list[tuple[str, str]]) -> bool:
    return any(_named(name, conversion) for _, name in forms)
