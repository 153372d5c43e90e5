"""A small seeded generator of canonical contacts with outcomes, for
``syncd backtest`` tests and the example file config/examples/backtest.jsonl.

The relationship (documented, not tuned to any model): each contact gets a
title, an industry, 0-4 visits to the pricing page in the 60 days before the
cut and 0-6 e-mail opens (noise: opens do not change the odds). It converts
(an opportunity) within 90 days of the cut with probability
``sigmoid(-3.0 + 1.6*exec + 0.7*manager + 1.1*tech + 0.7*min(visits, 3))``,
where ``exec`` is a CEO/CTO/VP title, ``manager`` a manager/director title and
``tech`` the industry Technology or Software; the conversion date is uniform
in those 90 days. 4% converted before the cut instead. With ``leak``, a
converted contact carries ``lifecyclestage: opportunity`` (written by the CRM
when it converted: a leak); with ``post_cut``, converters visit the pricing
page again after the cut (inside the deal).
"""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["BLIND_MODEL", "CUT", "SIGNAL_MODEL", "outcome_contacts", "write_jsonl"]

CUT = datetime(2026, 6, 1, tzinfo=UTC)

TITLES = [
    ("CEO", "exec"),
    ("CTO", "exec"),
    ("VP Sales", "exec"),
    ("Marketing Manager", "manager"),
    ("Director of IT", "manager"),
    ("Analyst", None),
    ("Software Engineer", None),
    ("Intern", None),
]
INDUSTRIES = ["Technology", "Software", "Retail", "Education", "Manufacturing"]
COUNTRIES = ["US", "UK", "DE", "FR", "TR"]


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def outcome_contacts(
    n: int, seed: int, *, cut: datetime = CUT, leak: bool = False, post_cut: bool = False
) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        title, level = rnd.choice(TITLES)
        industry = rnd.choice(INDUSTRIES)
        visits = min(4, int(rnd.expovariate(1.0)))
        opens = rnd.randint(0, 6)
        created = cut - timedelta(days=rnd.randint(70, 400))
        acts = [
            {
                "type": "page_view",
                "at": _iso(cut - timedelta(days=rnd.uniform(0.5, 60))),
                "url": "https://example.com/pricing",
            }
            for _ in range(visits)
        ]
        acts += [
            {"type": "email_open", "at": _iso(cut - timedelta(days=rnd.uniform(0.5, 60)))}
            for _ in range(opens)
        ]
        logit = (
            -3.0
            + 1.6 * (level == "exec")
            + 0.7 * (level == "manager")
            + 1.1 * (industry in ("Technology", "Software"))
            + 0.7 * min(visits, 3)
        )
        converted = rnd.random() < 1 / (1 + math.exp(-logit))
        at = cut + timedelta(days=rnd.uniform(1, 89))
        if rnd.random() < 0.04:
            converted, at = True, cut - timedelta(days=rnd.uniform(1, 60))
        props: dict[str, Any] = {"title": title, "industry": industry}
        props["country"] = rnd.choice(COUNTRIES)
        if converted and leak:
            props["lifecyclestage"] = "opportunity"
        if converted and post_cut and at > cut:
            acts.append(
                {
                    "type": "page_view",
                    "at": _iso(at - timedelta(hours=2)),
                    "url": "https://example.com/pricing",
                }
            )
        out.append(
            {
                "id": f"c{i:04d}",
                "email": f"p{i}@company{i % 97}.example",
                "created_at": _iso(created),
                "properties": props,
                "activities": acts,
                "outcome": {"converted": True, "at": _iso(at)}
                if converted
                else {"converted": False},
            }
        )
    return out


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


#: Scores the generator's signals (title, industry, pricing-page visits).
SIGNAL_MODEL = """\
name: signals
half_life_days: 90
tiers:
  - name: low
  - name: mql
    min: 40
mql_tier: mql
rules:
  - id: title.exec
    group: title
    points: 30
    when: {title: {regex: '\\b(ceo|cto|vp)\\b'}}
  - id: title.manager
    group: title
    points: 15
    when: {title: {regex: '\\b(manager|director)\\b'}}
  - id: industry.tech
    points: 20
    when: {industry: [Technology, Software]}
  - id: pricing_page
    activity: page_view
    points: 15
    max_count: 3
    when: {url: {contains: /pricing}}
"""

#: Scores only noise (e-mail opens, country).
BLIND_MODEL = """\
name: blind
tiers:
  - name: low
  - name: mql
    min: 20
mql_tier: mql
rules:
  - id: email_open
    activity: email_open
    points: 5
  - id: country.us
    points: 10
    when: {country: US}
"""
