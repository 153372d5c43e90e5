"""Outcomes from HubSpot: lifecycle-stage dates on contacts and deals with their contacts.

- Contacts already read carry ``hs_lifecyclestage_salesqualifiedlead_date``,
  ``..._opportunity_date`` and ``..._customer_date`` (set when the contact entered the
  stage): each becomes an outcome keyed ``lifecycle:<kind>`` (no extra call).
- Deals modified inside the pull's window (from 0 on a full pull) are read like
  engagements: searched by ``hs_lastmodifieddate`` (search answers carry no
  associations), their contacts read with one v4 association batch read per page of
  deals (none for an empty page). A deal gives
  ``deal:<id>:opportunity`` at ``createdate``, and once closed ``deal:<id>:won`` or
  ``deal:<id>:lost`` at ``closedate`` (``hs_is_closed_won`` / ``hs_is_closed``, never the
  portal-specific stage ids), with ``amount`` and the stage as detail.

Outcomes are upserted by key, so a deal read again replaces; a deal reopened after
being closed keeps its earlier won/lost outcome (HubSpot keeps no history of it here).
Outcomes are optional: a credential without the ``crm.objects.deals.read`` scope
(403 ``MISSING_SCOPES``) reads no deals, with a warning, and the cycle goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from connectors.base import FatalError, OutcomeRecord, Page
from connectors.hubspot import reader
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.mapping import parse_time

__all__ = ["CONTACT_PROPERTIES", "DEAL_PROPERTIES", "deal_outcomes", "deal_pages", "lifecycle"]

#: Contact property -> outcome kind.
LIFECYCLE_DATES: dict[str, str] = {
    "hs_lifecyclestage_salesqualifiedlead_date": "sql",
    "hs_lifecyclestage_opportunity_date": "opportunity",
    "hs_lifecyclestage_customer_date": "customer",
}
CONTACT_PROPERTIES: tuple[str, ...] = tuple(LIFECYCLE_DATES)
DEAL_PROPERTIES: tuple[str, ...] = (
    "dealname",
    "dealstage",
    "amount",
    "createdate",
    "closedate",
    "hs_is_closed",
    "hs_is_closed_won",
    "hs_lastmodifieddate",
)

Props = Mapping[str, str | None]
MISSING_SCOPES = "MISSING_SCOPES"
log = logging.getLogger("connectors.hubspot")


def _when(value: str | None) -> datetime | None:
    try:
        return parse_time(value)
    except ValueError:
        return None


def lifecycle(contact_id: str, values: Props) -> list[OutcomeRecord]:
    """The contact's lifecycle-stage outcomes (unparseable dates are left out)."""
    out = []
    for prop, kind in LIFECYCLE_DATES.items():
        at = _when(values.get(prop))
        if at is not None:
            out.append(OutcomeRecord(contact_id, f"lifecycle:{kind}", kind, at))
    return out


def _amount(value: str | None) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is not None and number == number else None


def deal_outcomes(deal_id: str, values: Props, contact_ids: list[str]) -> list[OutcomeRecord]:
    """A deal's outcomes for each of its contacts."""
    created = _when(values.get("createdate"))
    closed = _when(values.get("closedate"))
    amount = _amount(values.get("amount"))
    stage = values.get("dealstage") or None
    found: list[tuple[str, datetime]] = []
    if created is not None:
        found.append(("opportunity", created))
    if values.get("hs_is_closed") == "true" and closed is not None:
        found.append(("won" if values.get("hs_is_closed_won") == "true" else "lost", closed))
    return [
        OutcomeRecord(cid, f"deal:{deal_id}:{kind}", kind, at, amount, stage)
        for cid in contact_ids
        for kind, at in found
    ]


def deal_pages(
    client: HubSpotClient, pages: Iterator[reader.RowPage]
) -> Iterator[tuple[Page, Any]]:
    """One page of outcomes per page of deals, their contacts from one association read
    (none for an empty page); nothing, with a warning, when the credential may not read
    deals."""
    try:
        for rows in pages:
            ids = [rid for rid, _ in rows.rows]
            links = reader.associated_contacts(client, "deals", ids) if ids else {}
            records = [
                record
                for rid, values in rows.rows
                for record in deal_outcomes(rid, values, links.get(rid, []))
            ]
            yield Page(outcomes=records), rows.next
    except FatalError as exc:
        if exc.code != MISSING_SCOPES:
            raise
        log.warning(
            "deals not read (grant the crm.objects.deals.read scope for deal outcomes): %s", exc
        )
