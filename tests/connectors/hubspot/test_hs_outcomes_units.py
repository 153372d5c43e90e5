"""Deal and lifecycle outcomes from HubSpot values (pure mapping), and deals as an
optional signal: a credential without the deals scope reads none, the pull goes on."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import cast

import pytest

from connectors.base import FatalError
from connectors.hubspot import reader
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.outcomes import deal_outcomes, deal_pages, lifecycle


def test_deal_outcomes_follow_the_closed_flags_not_stage_names() -> None:
    values = {
        "createdate": "2026-10-01T09:00:00.000Z",
        "closedate": "2026-11-15T00:00:00Z",
        "amount": "12500.50",
        "dealstage": "my-custom-won-stage",
        "hs_is_closed": "true",
        "hs_is_closed_won": "true",
    }
    found = deal_outcomes("77", values, ["1", "2"])
    assert [(o.contact_id, o.key, o.kind) for o in found] == [
        ("1", "deal:77:opportunity", "opportunity"),
        ("1", "deal:77:won", "won"),
        ("2", "deal:77:opportunity", "opportunity"),
        ("2", "deal:77:won", "won"),
    ]
    assert found[1].at == datetime(2026, 11, 15, tzinfo=UTC) and found[1].amount == 12500.5
    lost = deal_outcomes("78", {**values, "hs_is_closed_won": "false", "amount": "x"}, ["1"])
    assert [o.kind for o in lost] == ["opportunity", "lost"] and lost[1].amount is None
    still_open = deal_outcomes("79", {**values, "hs_is_closed": "false"}, ["1"])
    assert [o.kind for o in still_open] == ["opportunity"]


def test_lifecycle_dates_become_outcomes() -> None:
    values = {
        "hs_lifecyclestage_salesqualifiedlead_date": "1767225600000",  # epoch ms
        "hs_lifecyclestage_opportunity_date": "2026-01-05T00:00:00Z",
        "hs_lifecyclestage_customer_date": "not a date",
    }
    found = lifecycle("5", values)
    assert [(o.key, o.kind, o.at) for o in found] == [
        ("lifecycle:sql", "sql", datetime(2026, 1, 1, tzinfo=UTC)),
        ("lifecycle:opportunity", "opportunity", datetime(2026, 1, 5, tzinfo=UTC)),
    ]


def _denied(code: str) -> Iterator[reader.RowPage]:
    raise FatalError("HubSpot denied access (403)", code=code)
    yield  # pragma: no cover


def test_a_missing_deals_scope_reads_no_deals(caplog: pytest.LogCaptureFixture) -> None:
    client = cast(HubSpotClient, object())  # never called: the first page fails
    with caplog.at_level(logging.WARNING, "connectors.hubspot"):
        assert list(deal_pages(client, _denied("MISSING_SCOPES"))) == []
    assert "crm.objects.deals.read" in caplog.text
    with pytest.raises(FatalError):
        list(deal_pages(client, _denied("")))  # any other refusal still stops the cycle
