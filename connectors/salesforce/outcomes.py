"""Outcomes from Salesforce: Lead conversion, and Opportunities through their contact roles.

- The Lead stream also reads ``ConvertedDate`` and ``ConvertedOpportunityId``: a converted
  Lead gives ``lead:<Id>:converted``, kind ``opportunity`` when the conversion created an
  opportunity, else ``sql``, dated the conversion day (midnight UTC: the field is a date),
  on the Contact it became (``ConvertedContactId``: the person syncd follows, whose
  history the Lead's activities join), or on the Lead when it names none.
- Two more streams, on the same (SystemModstamp, Id) cursors as the others:
  ``OpportunityContactRole`` rows carry their Opportunity's fields (``Opportunity.IsWon``
  …) and give that contact's outcomes directly; changed ``Opportunity`` rows (won or lost
  since the cursor) are joined to their contacts with one ``OpportunityContactRole``
  query per page (``OpportunityId IN`` lists chunked under the URI limit); not on a
  full pull, whose contact-role stream reads every role anyway.
- An opportunity gives ``opportunity:<Id>:opportunity`` at ``CreatedDate``, and once
  closed ``opportunity:<Id>:won`` or ``:lost`` at ``CloseDate`` (``IsWon`` /
  ``IsClosed``, never the org-specific stage names), with ``Amount`` and ``StageName``.

Outcomes are upserted by key, so rows read twice (both streams, lookbacks) replace.
They are optional: an API user who may not read Opportunity or OpportunityContactRole
(``INVALID_TYPE``) gets none from that stream, with a warning, and the cycle goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from connectors.base import FatalError, OutcomeRecord, Page
from connectors.salesforce import mapping, soql
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.limits import URI_MAX_BYTES
from connectors.salesforce.mapping import Flat

__all__ = [
    "LEAD_FIELDS",
    "OCR_FIELDS",
    "OPPORTUNITY_FIELDS",
    "ROLES",
    "lead_outcomes",
    "opportunity_outcomes",
    "optional",
    "page",
]

LEAD_FIELDS = ("ConvertedDate", "ConvertedOpportunityId")
_OPPORTUNITY = ("Name", "StageName", "Amount", "CloseDate", "IsClosed", "IsWon", "CreatedDate")
OPPORTUNITY_FIELDS = ("Id", "SystemModstamp", "IsDeleted", *_OPPORTUNITY)
OCR_FIELDS = (
    "Id",
    "SystemModstamp",
    "IsDeleted",
    "ContactId",
    "OpportunityId",
    *(f"Opportunity.{name}" for name in _OPPORTUNITY),
)
ROLES = ("opportunity", "contact_role")
NOT_READABLE = "INVALID_TYPE"
log = logging.getLogger("connectors.salesforce")
_URI_RESERVE = 4_096


def lead_outcomes(row: Flat) -> list[OutcomeRecord]:
    """A converted Lead's conversion outcome (none for other rows)."""
    if not mapping.boolean(row.get("IsConverted")):
        return []
    at = mapping.parse_time(row.get("ConvertedDate"))
    if at is None:
        return []
    kind = "opportunity" if mapping.text(row.get("ConvertedOpportunityId")) else "sql"
    lead_id = str(row["Id"])
    person = mapping.text(row.get("ConvertedContactId")) or lead_id
    return [OutcomeRecord(person, f"lead:{lead_id}:converted", kind, at)]


def opportunity_outcomes(
    opportunity_id: str, fields: Mapping[str, Any], contact_ids: Sequence[str]
) -> list[OutcomeRecord]:
    """An opportunity's outcomes for each contact; ``fields`` holds the Opportunity
    fields by their plain names."""
    created = mapping.parse_time(fields.get("CreatedDate"))
    closed = mapping.parse_time(fields.get("CloseDate"))
    amount = mapping.number(fields.get("Amount"))
    stage = mapping.text(fields.get("StageName"))
    found: list[tuple[str, dt.datetime]] = []
    if created is not None:
        found.append(("opportunity", created))
    if mapping.boolean(fields.get("IsClosed")) and closed is not None:
        found.append(("won" if mapping.boolean(fields.get("IsWon")) else "lost", closed))
    return [
        OutcomeRecord(cid, f"opportunity:{opportunity_id}:{kind}", kind, at, amount, stage)
        for cid in contact_ids
        for kind, at in found
    ]


def _roles(client: SalesforceClient, opportunity_ids: list[str]) -> dict[str, list[str]]:
    """Opportunity Id -> its contacts' Ids (live contact roles only)."""
    found: dict[str, list[str]] = {}
    for chunk in soql.chunk_ids(opportunity_ids, budget=URI_MAX_BYTES - _URI_RESERVE):
        text = soql.select(
            "OpportunityContactRole",
            ("ContactId", "OpportunityId"),
            soql.id_in("OpportunityId", chunk),
        )
        for answer in client.query_pages(text, include_deleted=False):
            for record in answer.get("records", []):
                contact = mapping.text(record.get("ContactId"))
                if contact:
                    found.setdefault(str(record["OpportunityId"]), []).append(contact)
    return found


def page(client: SalesforceClient, role: str, rows: list[Flat], *, join: bool = True) -> Page:
    """The outcomes of one page of the ``opportunity`` or ``contact_role`` stream. An
    opportunity page looks its contact roles up only when ``join``: a call whose
    contact-role stream reads every role (a full pull) gets the same outcomes from it."""
    live = [r for r in rows if not mapping.boolean(r.get("IsDeleted"))]
    records: list[OutcomeRecord] = []
    if role == "contact_role":
        for row in live:
            contact = mapping.text(row.get("ContactId"))
            opportunity = mapping.text(row.get("OpportunityId"))
            if contact and opportunity:
                fields = {name: row.get(f"Opportunity.{name}") for name in _OPPORTUNITY}
                records += opportunity_outcomes(opportunity, fields, [contact])
        return Page(outcomes=records)
    if not join:
        return Page()
    roles = _roles(client, [str(r["Id"]) for r in live]) if live else {}
    for row in live:
        opportunity = str(row["Id"])
        records += opportunity_outcomes(opportunity, row, roles.get(opportunity, []))
    return Page(outcomes=records)


def optional(sobject: str, pages: Iterator[Page]) -> Iterator[Page]:
    """``pages``, or none (with a warning) when the API user may not read ``sobject``."""
    try:
        yield from pages
    except FatalError as exc:
        if exc.code != NOT_READABLE:
            raise
        log.warning("%s not read (no outcomes from it): grant the API user read access; %s",
                    sobject, exc)  # fmt: skip
