"""Generated outcomes (``syncd.sandbox.outcomes``) as Salesforce records.

Each deal becomes an ``Opportunity`` (StageName, Amount, CloseDate, IsClosed, IsWon,
CreatedDate = when it opened, SystemModstamp = when it last changed) on the person's
Account, with an ``OpportunityContactRole`` linking it to the person's Contact. A person
still a Lead is converted by its opportunity (``seed``: IsConverted, ConvertedDate,
ConvertedContactId, ConvertedOpportunityId). Known differences: IsClosed and IsWon are
set by the seed, not recomputed from StageName on API writes; no OpportunityHistory; a
Lead without a company never converts (a real conversion would create its Account).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from syncd.sandbox.outcomes import GenDeal, seniority_of
from syncd.sandbox.salesforce.store import Store

OPEN_STAGES = ("Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote")


def _whole(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v.replace(microsecond=0) if isinstance(v, dt.datetime) else v for k, v in values.items()
    }


def add_opportunity(
    store: Store,
    deal: GenDeal,
    *,
    account_id: str | None,
    contact_id: str,
    title: str,
    owner_id: str,
) -> str:
    """Insert the deal's Opportunity and its contact role; returns the Opportunity Id."""
    closed = deal.closed_at is not None
    if closed:
        stage = "Closed Won" if deal.stage == "won" else "Closed Lost"
        close_date = deal.closed_at
    else:
        stage = OPEN_STAGES[int(deal.key[1:]) % len(OPEN_STAGES)]
        close_date = deal.created_at + dt.timedelta(days=60)
    changed = deal.closed_at or deal.created_at
    opp_id = store.insert(
        "Opportunity",
        _whole(
            {
                "Name": deal.name,
                "AccountId": account_id,
                "StageName": stage,
                "Amount": deal.amount,
                "CloseDate": (close_date or deal.created_at).date(),
                "Probability": 100 if deal.stage == "won" else 0 if closed else 40,
                "IsClosed": closed,
                "IsWon": deal.stage == "won",
                "LeadSource": "Web",
                "OwnerId": owner_id,
                "CreatedDate": deal.created_at,
                "LastModifiedDate": changed,
                "SystemModstamp": changed,
            }
        ),
    )
    store.insert(
        "OpportunityContactRole",
        _whole(
            {
                "OpportunityId": opp_id,
                "ContactId": contact_id,
                "Role": "Decision Maker" if seniority_of(title) in ("X", "D") else "Evaluator",
                "IsPrimary": True,
                "CreatedDate": deal.created_at,
                "LastModifiedDate": deal.created_at,
                "SystemModstamp": deal.created_at,
            }
        ),
    )
    return opp_id
