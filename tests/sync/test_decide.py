"""The pure decisions: write priority, pending/drift, re-diffs."""

from __future__ import annotations

from datetime import UTC, datetime

from syncd.state import StoredContact, Values
from syncd.sync.decide import MQL_CROSSING, TIER_CHANGE, rank, recheck

MQL = frozenset({"mql", "hot"})
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _v(score: int, tier: str) -> Values:
    return Values(score=score, tier=tier, reasons="r", priority=False)


def _sc(*, crm: Values | None, desired: Values | None, written: Values | None,
        writable: bool = True) -> StoredContact:
    return StoredContact(id="c", kind="contact", writable=writable, json={"id": "c"},
                         account_key=None, crm=crm, desired=desired,
                         desired_mql=desired is not None and desired.tier in MQL,
                         written=written, mql_at=None, dead=False, attempts=0)


def test_rank_orders_mql_crossings_then_tier_changes_then_size() -> None:
    cross_up = rank(_v(55, "mql"), True, _v(45, "nurture"), MQL)
    cross_down = rank(_v(45, "nurture"), False, _v(55, "mql"), MQL)
    tier_only = rank(_v(80, "hot"), True, _v(70, "mql"), MQL)
    big_move = rank(_v(40, "nurture"), False, _v(26, "nurture"), MQL)
    small_move = rank(_v(40, "nurture"), False, _v(39, "nurture"), MQL)
    never_written_mql = rank(_v(60, "mql"), True, None, MQL)
    assert cross_up > tier_only > big_move > small_move
    assert cross_down >= MQL_CROSSING + TIER_CHANGE
    assert never_written_mql >= MQL_CROSSING + TIER_CHANGE
    assert rank(_v(10, "unqualified"), False, None, MQL) < MQL_CROSSING


def test_recheck_finds_drift_and_leaves_equal_values_alone() -> None:
    v = _v(60, "mql")
    assert recheck(_sc(crm=v, desired=v, written=v), MQL) == ("c", False, False,
                                                             rank(v, True, v, MQL))
    edited = _v(3, "unqualified")
    _cid, pending, drift, r = recheck(_sc(crm=edited, desired=v, written=v), MQL) or ("", 0, 0, 0)
    assert (pending, drift) == (True, True) and r >= MQL_CROSSING
    # a converted lead is never written; a never-scored contact waits for scoring
    assert recheck(_sc(crm=edited, desired=v, written=v, writable=False), MQL) == (
        "c", False, False, rank(v, True, edited, MQL))
    assert recheck(_sc(crm=edited, desired=None, written=None), MQL) is None
