"""Seeded synthetic leads for the predictive tests.

Conversion depends, noisily, on title (VP / C-level), industry (Technology),
company size (50–500 employees) and recent pricing-page visits; ``Lead
Status`` is set after the outcome (a leak by name) and ``Close Reason`` is
filled in only for decided leads and tells the outcome where it is set (a leak
by separation). Nothing here is tuned to a model.
"""

from __future__ import annotations

import csv
import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TITLES = ["VP Sales", "CEO", "Manager", "Engineer", "Analyst", "Director", "Intern"]
INDUSTRIES = ["Technology", "Retail", "Finance", "Health", "Education"]
COUNTRIES = ["US", "UK", "DE", "FR", "IN", ""]
START = datetime(2026, 1, 1, tzinfo=UTC)


def _lead(rng: random.Random) -> tuple[dict[str, Any], int, int]:
    title = rng.choice(TITLES)
    industry = rng.choice(INDUSTRIES)
    employees = rng.choice([None, *range(5, 2000, 7)])
    pricing = rng.choice([0, 0, 0, 1, 2, 3])
    logit = -1.6 + 1.4 * (title in ("VP Sales", "CEO")) + 1.0 * (industry == "Technology")
    logit += 0.8 * (employees is not None and 50 <= employees <= 500) + 0.6 * pricing
    label = int(rng.random() < 1 / (1 + math.exp(-logit)))
    props = {
        "Title": title,
        "Industry": industry,
        "Employees": "" if employees is None else str(employees),
        "Country": rng.choice(COUNTRIES),
    }
    return props, label, pricing


def write_csv(path: Path, n: int = 600, seed: int = 11, delimiter: str = ",") -> Path:
    """Leads as CSV: label column ``Signed`` (yes/no), id column ``Lead``."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(
            [
                "Lead",
                "Title",
                "Industry",
                "Employees",
                "Country",
                "Pricing Visits",
                "Lead Status",
                "Close Reason",
                "Signed",
            ]
        )
        for i in range(n):
            props, label, pricing = _lead(rng)
            decided = rng.random() < 0.5
            reason = ("Budget approved" if label else "No budget") if decided else ""
            status = "Converted" if label else rng.choice(["Open", "Working", "Nurture"])
            w.writerow(
                [
                    f"L{i:04d}",
                    props["Title"],
                    props["Industry"],
                    props["Employees"],
                    props["Country"],
                    pricing,
                    status,
                    reason,
                    "yes" if label else "no",
                ]
            )
    return path


def contacts(n: int = 400, seed: int = 5) -> list[tuple[dict[str, Any], int, datetime]]:
    """Canonical contacts (with pricing-page activities) and their label and
    conversion time (for converted ones; the creation time otherwise)."""
    rng = random.Random(seed)
    out: list[tuple[dict[str, Any], int, datetime]] = []
    for i in range(n):
        props, label, pricing = _lead(rng)
        created = START + timedelta(days=i * 0.5)
        acts: list[dict[str, Any]] = []
        for k in range(pricing):
            at = created + timedelta(days=1 + k)
            acts.append({"type": "page_view", "at": _iso(at), "url": "https://v.io/pricing"})
        if rng.random() < 0.4:
            acts.append({"type": "email_open", "at": _iso(created + timedelta(hours=3))})
        converted = created + timedelta(days=5)
        if label:  # after the conversion: must not count
            acts.append({"type": "meeting", "at": _iso(converted + timedelta(days=1))})
        obj = {
            "id": f"c{i:04d}",
            "created_at": _iso(created),
            "properties": {
                "title": props["Title"],
                "industry": props["Industry"],
                "employees": int(props["Employees"]) if props["Employees"] else None,
            },
            "account": {"id": f"A{i // 5:03d}", "properties": {"priority": i % 7 == 0}},
            "activities": acts,
        }
        out.append((obj, label, converted if label else created))
    return out


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def write_jsonl(path: Path, n: int = 400, seed: int = 5) -> Path:
    """The ``contacts`` as JSONL with an ``outcome`` each."""
    with open(path, "w", encoding="utf-8") as f:
        for obj, label, at in contacts(n, seed):
            outcome = {"converted": True, "at": _iso(at)} if label else {"converted": False}
            f.write(json.dumps({**obj, "outcome": outcome}) + "\n")
    return path
