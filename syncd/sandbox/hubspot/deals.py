"""Deals and lifecycle-stage dates in the fake HubSpot portal.

- ``derive`` keeps HubSpot's calculated properties true on every write: a deal's
  ``hs_is_closed`` / ``hs_is_closed_won`` follow its ``dealstage`` (default pipeline:
  ``closedwon`` and ``closedlost`` are the closed stages), and a contact whose
  ``lifecyclestage`` is set gets ``hs_lifecyclestage_<stage>_date`` stamped with the write
  time when that date is still empty (HubSpot sets it when the stage is entered).
- ``lifecycle`` gives a generated contact its stage and stage dates from its outcome
  (``syncd.sandbox.outcomes``): the deal's SQL, opportunity and won dates; contacts the
  dataset marks as customers became customers on creation; everyone else is at most a
  marketing-qualified lead (no SQL or later stage without its date).
- ``seed_deals`` adds each generated deal (``/crm/v3/objects/deals``) associated to its
  contact (v4 type 3 deal->contact, 4 contact->deal).

Known differences: one pipeline only (``default``); no deal->company associations; the
lifecycle stage never moves backwards by itself and deal changes do not move it (the
portal setting that syncs lifecycle stages with deals is off); no ``hs_closed_amount``
and friends.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from syncd.sandbox.hubspot.schema import iso_ms

if TYPE_CHECKING:
    from syncd.sandbox.generator import GenContact
    from syncd.sandbox.hubspot.store import Store
    from syncd.sandbox.outcomes import GenDeal

CLOSED_STAGES = {"closedwon": True, "closedlost": False}
OPEN_STAGES = ("qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent")
_LATER_THAN_MQL = frozenset({"salesqualifiedlead", "opportunity", "customer", "evangelist"})


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def date_property(stage: str) -> str:
    return f"hs_lifecyclestage_{stage}_date"


def derive(object_type: str, properties: dict[str, str], at_ms: int) -> None:
    """Update the calculated properties of a record just written (in place)."""
    if object_type == "deals":
        stage = properties.get("dealstage", "")
        properties["hs_is_closed"] = "true" if stage in CLOSED_STAGES else "false"
        properties["hs_is_closed_won"] = "true" if CLOSED_STAGES.get(stage) else "false"
    elif object_type == "contacts":
        stage = properties.get("lifecyclestage", "")
        if stage and stage != "other" and not properties.get(date_property(stage)):
            properties[date_property(stage)] = iso_ms(at_ms)


def lifecycle(person: GenContact, deal: GenDeal | None, stage: str) -> dict[str, str]:
    """``lifecyclestage`` and its date properties for a generated contact whose drawn
    stage is ``stage`` (a HubSpot stage id)."""
    dates: dict[str, datetime] = {}
    if stage:
        dates["lead"] = person.created_at
    if deal is not None:
        if deal.sql_at is not None:
            dates["salesqualifiedlead"] = deal.sql_at
        dates["opportunity"] = deal.created_at
        if deal.stage == "won" and deal.closed_at is not None:
            dates["customer"] = deal.closed_at
        stage = "customer" if "customer" in dates else "opportunity"
    elif person.converted:
        stage = "customer"
        dates["customer"] = person.created_at
    elif stage in _LATER_THAN_MQL:
        stage = "marketingqualifiedlead"
    if stage == "marketingqualifiedlead":
        dates["marketingqualifiedlead"] = person.modified_at
    out = {date_property(name): iso_ms(_ms(at)) for name, at in dates.items()}
    if stage:
        out["lifecyclestage"] = stage
    return out


def seed_deals(store: Store, deals: tuple[GenDeal, ...], ids: Mapping[str, str]) -> None:
    """Add every generated deal, associated to its contact."""
    for n, deal in enumerate(deals):
        contact_id = ids.get(deal.contact_key)
        if contact_id is None:
            continue
        if deal.closed_at is not None:
            stage = "closedwon" if deal.stage == "won" else "closedlost"
            close, modified = deal.closed_at, deal.closed_at
        else:
            stage = OPEN_STAGES[n % len(OPEN_STAGES)]
            close, modified = deal.created_at + timedelta(days=60), deal.created_at
        deal_id = store.add(
            "deals",
            {
                "dealname": deal.name,
                "dealstage": stage,
                "pipeline": "default",
                "amount": f"{deal.amount:.0f}",
                "closedate": iso_ms(_ms(close)),
            },
            created_ms=_ms(deal.created_at),
            modified_ms=_ms(modified),
        )
        store.associate("deals", deal_id, "contacts", contact_id)
