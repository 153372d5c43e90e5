"""The sandbox's outcomes follow the documented relationship (title, industry, pricing)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syncd.sandbox.generator import Dataset, generate
from syncd.sandbox.outcomes import (
    TARGET_INDUSTRIES,
    GenDeal,
    deals_for,
    pricing_visits,
    seniority_of,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def data() -> tuple[Dataset, tuple[GenDeal, ...]]:
    ds = generate(11, 6000, NOW)
    return ds, deals_for(ds)


def _rate(group: list[bool]) -> float:
    return sum(group) / len(group)


def test_conversion_rises_with_seniority_industry_and_pricing(
    data: tuple[Dataset, tuple[GenDeal, ...]],
) -> None:
    ds, deals = data
    won_or_open = {d.contact_key for d in deals}
    people = [c for c in ds.contacts if c.occupation != "Student" and not c.converted]
    assert 0.05 <= len(deals) / len(people) <= 0.15  # the documented base rate
    senior = [c.key in won_or_open for c in people if seniority_of(c.title) in ("X", "D")]
    junior = [c.key in won_or_open for c in people if seniority_of(c.title) in ("I", "N")]
    assert _rate(senior) > 1.8 * _rate(junior)
    target = [
        c.key in won_or_open
        for c in people
        if c.company_key and ds.company(c.company_key).industry in TARGET_INDUSTRIES
    ]
    other = [
        c.key in won_or_open
        for c in people
        if not c.company_key or ds.company(c.company_key).industry not in TARGET_INDUSTRIES
    ]
    assert _rate(target) > 1.3 * _rate(other)
    visitors = [c.key in won_or_open for c in people if pricing_visits(ds.activities_of(c.key))]
    idle = [c.key in won_or_open for c in people if not pricing_visits(ds.activities_of(c.key))]
    assert _rate(visitors) > 1.5 * _rate(idle)


def test_dates_follow_engagement_and_stay_before_now(
    data: tuple[Dataset, tuple[GenDeal, ...]],
) -> None:
    ds, deals = data
    created = {c.key: c.created_at for c in ds.contacts}
    stages = {d.stage for d in deals}
    assert stages == {"open", "won", "lost"}
    for d in deals:
        assert d.created_at < NOW
        assert d.sql_at is None or d.sql_at <= d.created_at
        assert (d.closed_at is None) == (d.stage == "open")
        assert d.closed_at is None or d.created_at < d.closed_at < NOW
        assert d.amount >= 100
        # the opportunity follows its driver (an activity, else the contact's creation)
        assert d.created_at > min(
            [created[d.contact_key], *(a.at for a in ds.activities_of(d.contact_key))]
        )


def test_outcomes_are_deterministic_and_leave_the_dataset_alone() -> None:
    a, b = generate(3, 400, NOW), generate(3, 400, NOW)
    assert deals_for(a) == deals_for(b)
    assert a.contacts == b.contacts and a.activities == b.activities
    assert deals_for(generate(4, 400, NOW)) != deals_for(a)
