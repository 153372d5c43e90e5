"""E-mail addresses a merge left on another contact.

A HubSpot merge keeps the primary's ``email`` and moves the other record's address into
the merged record's ``hs_additional_emails``. E-mail events and form submissions name
an address, and reading a contact by ``idProperty=email`` matches only the primary
address, so an event of a merged-away address would find nobody in a full pull while an
incremental pull had filed it under the loser (which the merge then hands to the
survivor). A pull maps the additional addresses of every contact it reads, and looks
the addresses still unresolved up among additional addresses (search), which keeps
both pulls' answers the same: the merged record. Search lags a merge by the index's
lag; the contacts a pull reads do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from connectors.hubspot import limits
from connectors.hubspot.client import HubSpotClient

__all__ = ["ADDITIONAL_EMAILS", "additional", "resolve_additional"]

#: The contact property holding a contact's secondary addresses (``;``-separated).
ADDITIONAL_EMAILS = "hs_additional_emails"


def additional(values: Mapping[str, object]) -> set[str]:
    """A contact's additional addresses (lower case), from its properties as read."""
    held = str(values.get(ADDITIONAL_EMAILS) or "").split(";")
    return {a.strip().lower() for a in held if a.strip()}


def resolve_additional(
    client: HubSpotClient, emails: Iterable[str], cache: dict[str, str | None]
) -> None:
    """Fill ``cache`` for ``emails`` it maps to None with the contact holding the
    address among its additional addresses (searched, five addresses a request)."""
    wanted = sorted({e for e in emails if e and e in cache and cache[e] is None})
    step = limits.SEARCH_MAX_GROUPS
    for start in range(0, len(wanted), step):
        chunk = wanted[start : start + step]
        body = {
            "filterGroups": [
                {
                    "filters": [
                        {
                            "propertyName": ADDITIONAL_EMAILS,
                            "operator": "CONTAINS_TOKEN",
                            "value": e,
                        }
                    ]
                }
                for e in chunk
            ],
            "sorts": ["hs_object_id"],
            "properties": [ADDITIONAL_EMAILS],
            "limit": limits.SEARCH_PAGE_MAX,
            "after": "0",
        }
        answer = client.send(
            "search", "objects.search", path={"object_type": "contacts"}, body=body
        )
        for result in answer.get("results") or []:
            held = additional(result.get("properties") or {})
            for email in chunk:
                if email in held:
                    cache[email] = str(result["id"])
