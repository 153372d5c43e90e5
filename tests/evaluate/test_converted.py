"""A converted lead kept as a record of its own is replayed as one person with
the record it became, judged by that record's outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from syncd.cli.backtest_sources import replay
from syncd.core.outcomes import Outcome, OutcomeRule
from syncd.core.types import Activity, Contact
from syncd.evaluate import Exclusions
from syncd.evaluate.ab import Flag, compare_flags
from syncd.evaluate.converted import fold_converted

CUT = datetime(2026, 6, 1, tzinfo=UTC)
TS = CUT.timestamp()
DAY = 86_400.0
RULE = OutcomeRule()


def _lead() -> Contact:
    return Contact(
        id="00Q1",
        email="ana@acme.example",
        created_ts=TS - 200 * DAY,
        properties={"title": "CEO", "industry": "Technology"},
    )


def _became(created_ts: float) -> tuple[Contact, tuple[Outcome, ...]]:
    contact = Contact(
        id="0031",
        email="ana@acme.example",
        created_ts=created_ts,
        properties={"title": "Chief Executive"},
        activities=(Activity("page_view", TS - 10 * DAY, {"url": "/pricing"}),),
    )
    at = CUT + timedelta(days=20)
    return contact, (
        Outcome("opportunity", at, "lead:00Q1:converted"),
        Outcome("opportunity", at, "opportunity:0061:opportunity"),
    )


def test_a_lead_converted_after_the_cut_is_judged_once_as_it_was() -> None:
    contact, outcomes = _became(TS + 20 * DAY)
    rep = replay([(_lead(), ()), (contact, outcomes)], RULE, CUT, Exclusions())
    assert rep.labels == {"0031": True}
    [then] = rep.contacts
    assert then.properties == {"title": "CEO", "industry": "Technology"}
    assert then.created_ts == TS - 200 * DAY
    assert [a.type for a in then.activities] == ["page_view"]


def test_a_lead_merged_into_an_existing_contact_keeps_the_contact() -> None:
    contact, outcomes = _became(TS - 300 * DAY)
    extra = Activity("email_open", TS - 50 * DAY)
    lead = Contact(id="00Q1", created_ts=TS - 200 * DAY, activities=(extra,))
    [(person, kept)] = fold_converted([(lead, ()), (contact, outcomes)], TS)
    assert person.id == "0031" and person.properties == {"title": "Chief Executive"}
    assert person.created_ts == TS - 300 * DAY
    assert sorted(a.type for a in person.activities) == ["email_open", "page_view"]
    assert kept == outcomes


def test_other_records_pass_unchanged() -> None:
    other = Contact(id="0039", created_ts=TS - DAY)
    contact, outcomes = _became(TS + DAY)
    alone = [(other, ()), (contact, outcomes)]  # the lead is not among the contacts
    assert fold_converted(alone, TS) == alone


def test_shadow_ab_judges_a_flagged_lead_by_the_record_it_became() -> None:
    day = timedelta(days=1)
    at = CUT + 20 * day
    outcomes = {"0031": (Outcome("opportunity", at, "lead:00Q1:converted"),)}
    flags = [Flag("00Q1", CUT, CUT + day), Flag("0031", at + day, None)]
    ab = compare_flags("m@1", True, flags, outcomes, RULE, CUT + 200 * day)
    assert (ab.scored, ab.mqls, ab.judged_mqls, ab.converted) == (1, 1, 1, 1)
    assert (ab.converters, ab.caught, ab.median_lead_days) == (1, 1, 19.0)


def test_a_flagged_lead_whose_record_was_never_scored_moves_to_it() -> None:
    outcomes = {"0031": (Outcome("opportunity", CUT, "lead:00Q1:converted"),)}
    ab = compare_flags("m@1", True, [Flag("00Q1", CUT, CUT)], outcomes, RULE, CUT)
    assert (ab.scored, ab.mqls, ab.converted, ab.caught) == (1, 1, 1, 1)
