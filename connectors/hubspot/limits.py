"""HubSpot's documented API limits, stated once.

The connector plans its calls with these numbers and the sandbox fake enforces
them, so the two cannot drift apart. Sources: HubSpot's "API usage guidelines
and limits", the CRM search guide and the v3/v4 OpenAPI specs (page `limit`
maxima, batch input maxima).
"""

from __future__ import annotations

from typing import Final, Literal

Tier = Literal["free", "pro"]

#: Requests allowed per rolling burst window, by account tier
#: (free/starter 100, professional/enterprise 190 per 10 seconds).
BURST_PER_WINDOW: Final[dict[str, int]] = {"free": 100, "pro": 190}
BURST_WINDOW_S: Final = 10.0
#: Daily request allowance by tier (private apps: 250k free/starter, 625k pro).
DAILY: Final[dict[str, int]] = {"free": 250_000, "pro": 625_000}
#: Search endpoints: about five requests per second per account.
SEARCH_PER_SECOND: Final = 5

#: CRM v3 list endpoints: `limit` at most 100 per page.
LIST_PAGE_MAX: Final = 100
#: CRM v3 search: `limit` at most 200 per page.
SEARCH_PAGE_MAX: Final = 200
#: One search query never returns more than 10,000 results in total.
SEARCH_RESULT_CAP: Final = 10_000
#: Search filter groups / filters per group / filters in all.
SEARCH_MAX_GROUPS: Final = 5
SEARCH_MAX_FILTERS_PER_GROUP: Final = 6
SEARCH_MAX_FILTERS: Final = 18
#: Batch read / create / update / upsert: at most 100 inputs.
BATCH_MAX: Final = 100
#: Associations v4 batch read: at most 1,000 ids per call.
ASSOCIATION_BATCH_MAX: Final = 1_000

#: Legacy email events API: `limit` at most 1,000 per page.
EMAIL_EVENTS_PAGE_MAX: Final = 1_000
#: Legacy form submissions API: `limit` at most 50 per page.
SUBMISSIONS_PAGE_MAX: Final = 50
#: Marketing forms list; the published spec states no maximum, 100 is assumed.
FORMS_PAGE_MAX: Final = 100
#: Web analytics events; the published spec states no maximum, 100 is assumed.
WEB_EVENTS_PAGE_MAX: Final = 100
#: Marketing e-mails list; the published spec states no maximum, 100 is assumed.
MARKETING_EMAILS_PAGE_MAX: Final = 100
