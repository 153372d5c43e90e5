"""The positive-outcome rule: target stages, window bounds, ties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from syncd.core.outcomes import Outcome, OutcomeRule, first_positive

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def _o(kind: str, days: float, key: str = "") -> Outcome:
    return Outcome(kind, T0 + timedelta(days=days), key or f"{kind}:{days}")


def test_later_stages_meet_earlier_targets_and_sql_or_lost_never_do() -> None:
    history = [_o("sql", 1), _o("lost", 2), _o("customer", 5), _o("won", 9)]
    assert first_positive(history, "opportunity") == history[2]
    assert first_positive(history, "customer") == history[2]
    assert first_positive(history, "won") == history[3]
    assert first_positive([_o("sql", 1), _o("lost", 2)], "opportunity") is None


def test_window_is_half_open_from_the_start() -> None:
    rule = OutcomeRule("opportunity", timedelta(days=10))
    assert rule.converted([_o("opportunity", 10)], T0) is None
    assert rule.converted([_o("opportunity", 9.99)], T0) is not None
    assert rule.converted([_o("opportunity", -1)], T0) is None
    assert rule.converted([_o("opportunity", 0)], T0) is not None


def test_ties_are_broken_by_key() -> None:
    a, b = _o("won", 3, "deal:b"), _o("won", 3, "deal:a")
    assert first_positive([a, b], "won") == b


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"kind": "booked"}, "outcome kind 'booked' is not one of"),
        ({"at": datetime(2026, 1, 1)}, "'at' must be timezone-aware"),
    ],
)
def test_invalid_outcomes_are_refused(kw: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"kind": "won", "at": T0, "key": "k"} | kw
    with pytest.raises(ValueError, match=message):
        Outcome(**args)  # type: ignore[arg-type]


def test_rule_bounds() -> None:
    with pytest.raises(ValueError, match="window must be positive"):
        OutcomeRule("won", timedelta(0))
    with pytest.raises(ValueError, match="target 'sql'"):
        OutcomeRule("sql", timedelta(days=1))  # type: ignore[arg-type]
