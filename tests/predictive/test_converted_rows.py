"""`syncd learn --connector` and the daemon's retrain: a converted lead kept as
a record of its own is one labelled row with the record it became."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from syncd.core.outcomes import Outcome, OutcomeRule
from syncd.predictive.outcome_rows import rows_from_store

CONVERTED = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)
RULE = OutcomeRule()
OUTCOMES = {"0031": (Outcome("opportunity", CONVERTED, "lead:00Q1:converted"),)}


def _iso(at: datetime) -> str:
    return at.isoformat()


def _lead() -> dict[str, object]:
    return {
        "id": "00Q1",
        "email": "ana@acme.example",
        "created_at": _iso(CONVERTED - 60 * DAY),
        "properties": {"title": "CEO"},
        "activities": [{"type": "page_view", "at": _iso(CONVERTED - 30 * DAY), "url": "/x"}],
    }


def _contact(created: datetime) -> dict[str, object]:
    return {
        "id": "0031",
        "email": "ana@acme.example",
        "created_at": _iso(created),
        "properties": {"title": "Chief Executive"},
        "activities": [{"type": "email_open", "at": _iso(CONVERTED + 2 * DAY)}],
    }


def test_a_converted_lead_is_one_positive_row_as_the_lead_was() -> None:
    # the Contact is created on the conversion day, after the outcome's midnight
    rows = rows_from_store([_lead(), _contact(CONVERTED + DAY / 2)], OUTCOMES, RULE, "sf")
    [row] = rows
    assert (row.id, row.label, row.as_of) == ("0031", 1, CONVERTED.timestamp())
    assert row.properties == {"title": "CEO"}
    assert row.time == (CONVERTED - 60 * DAY).timestamp()
    assert [a.type for a in row.activities] == ["page_view"]


def test_a_lead_merged_into_an_older_contact_is_that_contact_once() -> None:
    rows = rows_from_store([_contact(CONVERTED - 300 * DAY), _lead()], OUTCOMES, RULE, "sf")
    [row] = rows
    assert (row.id, row.label, row.properties) == ("0031", 0, {"title": "Chief Executive"})
    assert sorted(a.type for a in row.activities) == ["email_open", "page_view"]
