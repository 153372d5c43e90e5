"""Account signals need the other rows: engaged stakeholders count the
account-mates active in the 30 days before a row's decision point."""

from __future__ import annotations

from syncd.predictive.io import Activity, Row
from syncd.predictive.table import raw_table

DAY = 86400.0


def _row(rid: str, account: str | None, *ats: float, as_of: float | None = None) -> Row:
    acts = tuple(Activity("email_open", at) for at in ats)
    return Row(rid, 1, {}, None, as_of=as_of, activities=acts, account=account)


def test_engaged_stakeholders_count_active_mates_before_the_decision_point() -> None:
    now = 100 * DAY
    rows = [
        _row("a", "X", 95 * DAY),
        _row("b", "X", 90 * DAY),
        _row("c", "X", 10 * DAY),  # active long ago
        _row(
            "d", "X", 99 * DAY, as_of=80 * DAY
        ),  # seen as of day 80: mates' later acts don't count
        _row("e", None, 99 * DAY),
    ]
    raws = raw_table(rows, now, None, "t")
    got = [r.get("account.engaged_stakeholders") for r in raws]
    assert got == [2.0, 2.0, 3.0, 0.0, None]
