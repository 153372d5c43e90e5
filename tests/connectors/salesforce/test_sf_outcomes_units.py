"""Salesforce outcome mapping (pure) and outcomes as an optional signal: an API user
who may not read Opportunity gets none from it, the pull goes on."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from connectors.base import FatalError, Page
from connectors.salesforce.outcomes import lead_outcomes, opportunity_outcomes, optional


def test_conversion_belongs_to_the_contact_the_lead_became() -> None:
    row = {
        "Id": "00Q1",
        "IsConverted": True,
        "ConvertedDate": "2026-10-02",
        "ConvertedContactId": "0031",
        "ConvertedOpportunityId": "0061",
    }
    [o] = lead_outcomes(row)
    assert (o.contact_id, o.key, o.kind, o.at) == (
        "0031", "lead:00Q1:converted", "opportunity", datetime(2026, 10, 2, tzinfo=UTC)
    )  # fmt: skip
    [sql] = lead_outcomes({**row, "ConvertedOpportunityId": None, "ConvertedContactId": None})
    assert (sql.contact_id, sql.kind) == ("00Q1", "sql")
    assert lead_outcomes({**row, "IsConverted": False}) == []


def test_opportunity_outcomes_follow_is_closed_and_is_won() -> None:
    fields = {
        "CreatedDate": "2026-09-01T10:00:00.000+0000",
        "CloseDate": "2026-10-15",
        "Amount": 4200.0,
        "StageName": "Negotiation/Review",
        "IsClosed": True,
        "IsWon": False,
    }
    found = opportunity_outcomes("0061", fields, ["0031"])
    assert [(o.key, o.kind, o.amount, o.detail) for o in found] == [
        ("opportunity:0061:opportunity", "opportunity", 4200.0, "Negotiation/Review"),
        ("opportunity:0061:lost", "lost", 4200.0, "Negotiation/Review"),
    ]
    assert found[0].at == datetime(2026, 9, 1, 10, tzinfo=UTC)
    assert [o.kind for o in opportunity_outcomes("0062", {**fields, "IsClosed": False}, ["x"])] == [
        "opportunity"
    ]


def _refused(code: str) -> Iterator[Page]:
    raise FatalError("query: Salesforce refused the request", code=code)
    yield  # pragma: no cover


def test_an_unreadable_opportunity_object_gives_no_outcomes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, "connectors.salesforce"):
        assert list(optional("Opportunity", _refused("INVALID_TYPE"))) == []
    assert "Opportunity not read" in caplog.text
    with pytest.raises(FatalError):
        list(optional("Opportunity", _refused("INVALID_SESSION_ID")))
