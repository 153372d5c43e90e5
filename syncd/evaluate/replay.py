"""Replaying history at a cut date: a contact as it was then (no activity at
or after the cut, no property that encodes the outcome), its label (did the
positive outcome follow within the window?) and the minimum-data check.

The leakage guard: ``DEFAULT_EXCLUDED`` lists the CRM properties that record
the outcome itself or the sales process after qualification (HubSpot
lifecycle stage and its dated stage entries, lead status, deal roll-ups;
Salesforce lead status and conversion fields). They are removed from the
contact and its account before scoring, matched case-insensitively as shell
patterns (``hs_lifecyclestage_*_date``).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from syncd.core.outcomes import Outcome, OutcomeRule, first_positive
from syncd.core.types import Contact, Scalar

__all__ = [
    "DEFAULT_EXCLUDED",
    "MIN_NEGATIVES",
    "MIN_POSITIVES",
    "Exclusions",
    "MinimumData",
    "as_of_contact",
    "label",
    "minimum_data_problem",
]

#: Properties removed before a backtest scores (case-insensitive shell patterns).
DEFAULT_EXCLUDED: tuple[str, ...] = (
    # HubSpot
    "lifecyclestage",
    "hs_lifecyclestage_*_date",
    "hs_lead_status",
    "hs_date_entered_*",
    "hs_date_exited_*",
    "hs_time_in_*",
    "num_associated_deals",
    "recent_deal_*",
    "first_deal_created_date",
    "total_revenue",
    "days_to_close",
    "hs_analytics_first_touch_converting_campaign",
    # Salesforce
    "Status",
    "IsConverted",
    "ConvertedDate",
    "Converted*Id",
    # generic
    "lead_status",
    "lifecycle_stage",
    "converted",
    "is_converted",
    "*_converted",
)

#: The minimum data for a backtest to judge anything.
MIN_POSITIVES = 10
MIN_NEGATIVES = 10


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Property-name patterns (shell style, case-insensitive) to remove."""

    patterns: tuple[str, ...] = DEFAULT_EXCLUDED

    def excludes(self, name: str) -> bool:
        low = name.lower()
        return any(fnmatch.fnmatchcase(low, p.lower()) for p in self.patterns)

    def keep(self, props: Mapping[str, Scalar]) -> dict[str, Scalar]:
        return {k: v for k, v in props.items() if not self.excludes(k)}


def as_of_contact(c: Contact, cut_ts: float, exclusions: Exclusions) -> Contact | None:
    """``c`` as it was just before ``cut_ts`` (epoch seconds): only
    activities strictly before the cut, no excluded property (on the contact
    or its account). None when the contact did not exist yet: created at or
    after the cut with no activity before it. A record created after the cut
    that carries earlier history (a Salesforce Contact converted from a Lead
    inherits the Lead's activities) existed as that history: its creation
    time becomes its first activity's."""
    before = tuple(a for a in c.activities if a.ts < cut_ts)
    created_ts = c.created_ts
    if created_ts is not None and created_ts >= cut_ts:
        if not before:
            return None
        created_ts = min(a.ts for a in before)
    account = c.account
    if account is not None:
        account = replace(account, properties=exclusions.keep(account.properties))
    return Contact(
        id=c.id,
        email=c.email,
        company=c.company,
        created_ts=created_ts,
        properties=exclusions.keep(c.properties),
        account=account,
        activities=before,
    )


def label(
    outcomes: Iterable[Outcome], rule: OutcomeRule, cut: datetime
) -> Literal["before"] | bool:
    """``"before"`` when the positive outcome happened before the cut (the
    contact is left out: there was nothing left to predict); else whether it
    happened within ``rule.window`` from the cut."""
    items = tuple(outcomes)
    if first_positive(items, rule.target, before=cut) is not None:
        return "before"
    return rule.converted(items, cut) is not None


@dataclass(frozen=True, slots=True)
class MinimumData:
    """Why there is too little data to judge a model."""

    contacts: int
    positives: int

    def __str__(self) -> str:
        negatives = self.contacts - self.positives
        return (
            f"too few outcomes to judge: a backtest needs at least {MIN_POSITIVES} contacts "
            f"with the positive outcome and {MIN_NEGATIVES} without; there are "
            f"{self.positives} with and {negatives} without ({self.contacts} contacts)"
        )


def minimum_data_problem(contacts: int, positives: int) -> MinimumData | None:
    if positives < MIN_POSITIVES or contacts - positives < MIN_NEGATIVES:
        return MinimumData(contacts, positives)
    return None
