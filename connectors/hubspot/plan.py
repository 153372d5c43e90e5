"""What the portal's HubSpot plan lets the connector read, learnt by a cheap probe.

HubSpot serves web-analytics events (page views) to Enterprise portals only; a Starter
or Professional portal answers the events API with 403. The connector learns once per
portal which way it reads page views (``PageViews``) by asking for one portal-wide page
view (one call), keeps the answer with the time it was probed, and probes again after
``REPROBE_S`` (the clock is injected). A cycle never fails for want of the events API:
without it, page views come from the contacts' last-visited page
(``hs_analytics_last_url`` / ``hs_analytics_last_timestamp``).

The answer also travels in the connector's cursor (``to_json`` / ``from_json``), so a
restarted engine remembers it and ``syncd status`` shows its ``notes``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from connectors.base import CheckItem, RequestRejected
from connectors.hubspot import reader
from connectors.hubspot.client import AccessDenied, HubSpotClient

#: ``portal``: every contact's page views in one paged read (Enterprise);
#: ``per_contact``: the portal refuses the portal-wide form, read contact by contact;
#: ``none``: no events API on this plan, the last-visited page only.
PageViews = Literal["portal", "per_contact", "none"]
MODES: tuple[str, ...] = ("portal", "per_contact", "none")
#: Probe the plan again after this many seconds.
REPROBE_S = 86_400.0
#: The window the probe asks about (its answer's content does not matter).
PROBE_WINDOW_MS = 86_400_000
NO_PAGE_VIEWS = (
    "page views: not available on this portal (HubSpot Enterprise only); "
    "rules on page_view use the last-visited URL only"
)


@dataclass(frozen=True, slots=True)
class Plan:
    """How page views are read, and when that was learnt (epoch seconds)."""

    page_views: PageViews
    probed_at: float

    @property
    def notes(self) -> list[str]:
        """What the operator should know (``syncd status``, ``syncd check``)."""
        return [NO_PAGE_VIEWS] if self.page_views == "none" else []

    def to_json(self) -> dict[str, Any]:
        return {"page_views": self.page_views, "probed_at": self.probed_at}

    @staticmethod
    def from_json(data: object) -> Plan | None:
        """A plan stored in a cursor, or None when absent or not one this module wrote."""
        if not isinstance(data, dict):
            return None
        mode, when = data.get("page_views"), data.get("probed_at")
        if mode not in MODES or not isinstance(when, int | float):
            return None
        return Plan(mode, float(when))


def probe(client: HubSpotClient) -> Plan:
    """One portal-wide page-view read of one event: 200 -> ``portal``, 403 -> ``none``,
    another 4xx (the portal refuses the portal-wide form) -> ``per_contact``."""
    now = client.clock()
    hi = int(now * 1000)
    try:
        for _ in reader.portal_page_views(client, hi - PROBE_WINDOW_MS, hi, None, limit=1):
            break
    except AccessDenied:
        return Plan("none", now)
    except RequestRejected:
        return Plan("per_contact", now)
    return Plan("portal", now)


class PlanMemory:
    """The connector's plan: probed on first need, again after ``REPROBE_S``."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._plan: Plan | None = None

    def current(self, client: HubSpotClient, stored: object = None) -> Plan:
        """The plan, probing when unknown or older than ``REPROBE_S``; ``stored`` is a
        plan kept in the cursor (used when this connector has not learnt one yet)."""
        with self._lock:
            plan = self._plan or Plan.from_json(stored)
        if plan is None or self._clock() - plan.probed_at >= REPROBE_S:
            plan = probe(client)
        with self._lock:
            self._plan = plan
        return plan

    def learnt(self, plan: Plan) -> None:
        """A read found out more (a 403 on a plan thought Enterprise, a refused form)."""
        with self._lock:
            self._plan = plan

    def check_item(self, client: HubSpotClient) -> CheckItem:
        """``syncd check``'s page-view line (a probe every time: check is run by hand)."""
        plan = probe(client)
        self.learnt(plan)
        if plan.page_views == "none":
            fix = "Upgrade to a HubSpot Enterprise plan to score each page view."
            return CheckItem("page views", True, NO_PAGE_VIEWS, fix, warning=True)
        how = "portal-wide" if plan.page_views == "portal" else "contact by contact"
        return CheckItem("page views", True, f"web-analytics events API answered; read {how}")
