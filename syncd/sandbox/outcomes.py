"""Sales outcomes for a generated dataset: who became an opportunity, when, and how it closed.

The fakes seed these as HubSpot deals (plus the contacts' lifecycle-stage dates) and as
Salesforce Opportunities with OpportunityContactRoles (plus Lead conversion), so a
backtest has something true to predict. The relationship is **fixed and documented**, not
derived from any shipped scoring model:

    logit(p) = -3.3                                  base (about 11 % of eligible contacts convert)
             + seniority of the title                 exec +1.6, director +1.2, manager +0.7,
                                                      individual contributor 0, intern -0.5
             + 0.8 if the company's industry is a     Technology, Financial Services,
               target industry                        Professional Services
             + 0.55 per pricing-page visit, at most 3
             + N(0, 0.9)                               noise per contact

Students, competitors' staff and contacts that are already customers in the dataset
(``GenContact.converted``) are not drawn. Dates: the opportunity opens 2 to ~60 days
after the engagement that drove it (one of the contact's pricing-page visits, else a
random activity, else its creation; only drivers early enough for the opportunity to
exist by ``now``); about 85 % of opportunities have an SQL date between the two.
Opportunities that would open after ``now`` do not exist yet. An opportunity closes
10-120 days after it opened when that is before ``now``: won with probability 0.4
(+0.1 for executives), otherwise lost; the rest are still open. Amounts grow with the
company's size, log-normal noise, rounded to 100.

Pure and deterministic: one ``random.Random`` seeded from the dataset's seed (a stream of
its own, so adding outcomes never changes the contacts or activities).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from syncd.sandbox import vocab as V
from syncd.sandbox.generator import Dataset, GenActivity, GenContact

__all__ = [
    "BASE_LOGIT",
    "SENIORITY_LOGIT",
    "TARGET_INDUSTRIES",
    "GenDeal",
    "conversion_logit",
    "deals_for",
    "pricing_visits",
    "seniority_of",
]

BASE_LOGIT = -3.3
SENIORITY_LOGIT = {"X": 1.6, "D": 1.2, "M": 0.7, "I": 0.0, "N": -0.5}
TARGET_INDUSTRIES = frozenset({"Technology", "Financial Services", "Professional Services"})
INDUSTRY_LOGIT = 0.8
PRICING_LOGIT = 0.55
PRICING_CAP = 3
NOISE_SD = 0.9
SQL_SHARE = 0.85
WIN_RATE = 0.4

_SENIORITY_FOLDED = {title.casefold(): code for title, code in V.SENIORITY.items()}


@dataclass(frozen=True, slots=True)
class GenDeal:
    """One opportunity of one contact. ``stage`` is ``open``, ``won`` or ``lost``;
    ``closed_at`` is set for won and lost deals; ``sql_at`` when the contact was
    marked sales-qualified before the opportunity opened."""

    key: str
    contact_key: str
    company_key: str | None
    name: str
    created_at: datetime
    sql_at: datetime | None
    stage: str
    closed_at: datetime | None
    amount: float


def seniority_of(title: str) -> str:
    """The seniority code of a generated title (X, D, M, I, N); ``I`` when unknown."""
    return _SENIORITY_FOLDED.get(title.casefold(), "I")


def _is_pricing(act: GenActivity) -> bool:
    return act.type == "page_view" and "/pricing" in act.attrs.get("url", "")


def pricing_visits(activities: Sequence[GenActivity]) -> int:
    return sum(1 for a in activities if _is_pricing(a))


def conversion_logit(title: str, industry: str | None, pricing: int) -> float:
    """The noise-free log-odds of an opportunity (the documented relationship)."""
    return (
        BASE_LOGIT
        + SENIORITY_LOGIT[seniority_of(title)]
        + (INDUSTRY_LOGIT if industry in TARGET_INDUSTRIES else 0.0)
        + PRICING_LOGIT * min(pricing, PRICING_CAP)
    )


def _eligible(person: GenContact) -> bool:
    domain = person.email.rsplit("@", 1)[-1]
    return (
        person.occupation != "Student"
        and domain not in V.COMPETITOR_DOMAINS
        and not person.converted
    )


def deals_for(data: Dataset) -> tuple[GenDeal, ...]:
    """The dataset's opportunities, in contact order (at most one per contact)."""
    rng = random.Random(f"{data.seed}:outcomes:{len(data.contacts)}")
    now = data.now
    out: list[GenDeal] = []
    for person in data.contacts:
        # every contact draws the same number of values, eligible or not: one
        # contact's change never shifts another's outcome
        noise, draw, lag, sql_roll, sql_pos, close_lag, won_roll, size, pick = (
            rng.gauss(0, NOISE_SD),
            rng.random(),
            rng.expovariate(1 / 12),
            rng.random(),
            rng.random(),
            rng.uniform(10, 120),
            rng.random(),
            rng.gauss(0, 0.5),
            rng.random(),
        )
        if not _eligible(person):
            continue
        company = data.company(person.company_key) if person.company_key else None
        acts = tuple(data.activities_of(person.key))
        pricing = [a for a in acts if _is_pricing(a)]
        logit = conversion_logit(person.title, company.industry if company else None, len(pricing))
        if draw >= 1 / (1 + math.exp(-(logit + noise))):
            continue
        delay = timedelta(days=2 + min(lag, 58))
        # the driver: a pricing visit early enough for its opportunity to exist by now
        drivers = [a for a in pricing if a.at + delay < now] or [
            a for a in acts if a.at + delay < now
        ]
        anchor = drivers[int(pick * len(drivers))].at if drivers else person.created_at
        opened = anchor + delay
        if opened >= now:
            continue
        sql_at = (
            anchor + (opened - anchor) * (0.2 + 0.7 * sql_pos) if sql_roll < SQL_SHARE else None
        )
        closed: datetime | None = opened + timedelta(days=close_lag)
        if closed is not None and closed >= now:
            closed, stage = None, "open"
        else:
            won = won_roll < WIN_RATE + (0.1 if seniority_of(person.title) == "X" else 0.0)
            stage = "won" if won else "lost"
        employees = company.employees if company else 10
        amount = round(4000 * (1 + math.log10(max(1, employees))) * math.exp(size), -2)
        label = company.name if company else person.company_name or person.last_name
        out.append(
            GenDeal(
                key=f"d{person.key[1:]}",
                contact_key=person.key,
                company_key=person.company_key,
                name=f"{label} - new business"[:120],
                created_at=opened.replace(microsecond=0),
                sql_at=sql_at.replace(microsecond=0) if sql_at else None,
                stage=stage,
                closed_at=closed.replace(microsecond=0) if closed else None,
                amount=max(100.0, amount),
            )
        )
    return tuple(out)
