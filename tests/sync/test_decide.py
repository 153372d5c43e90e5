"""The pure decisions: write priority, pending/drift, re-diffs."""

from __future__ import annotations

from datetime import UTC, datetime

from syncd.state import StoredContact, Values
from syncd.sync.decide import (
    MQL_CROSSING,
    TIER_CHANGE,
    needs_write,
    rank,
    recheck,
    same_meaning,
)

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


def _r(score: int, reasons: str, tier: str = "nurture") -> Values:
    return Values(score=score, tier=tier, reasons=reasons, priority=False)


def test_decayed_points_alone_never_need_a_write() -> None:
    old = _r(40, "title.exec +20; email_open +13.4 (x3); careers -4.6; pricing_page +15")
    aged = _r(40, "title.exec +20; email_open +13.3 (x3); careers -4.5; pricing_page +15")
    assert same_meaning(old, aged)
    assert needs_write(True, old, old, aged) == (False, False)
    assert needs_write(True, None, old, aged) == (False, False)


def test_score_tier_priority_or_rules_changing_need_a_write() -> None:
    old = _r(40, "title.exec +20; email_open +13.4 (x3)")
    for new in (_r(41, old.reasons or ""), _r(40, old.reasons or "", tier="mql"),
                Values(score=40, tier="nurture", reasons=old.reasons, priority=True),
                _r(40, "title.exec +20; email_open +13.4 (x4)"),
                _r(40, "email_open +13.4 (x3); title.exec +20"),
                _r(40, "title.exec +20; email_open +13.4 (x3); careers -5"),
                _r(40, "disqualified: occupation.student")):
        assert not same_meaning(old, new), new
        assert needs_write(True, old, old, new) == (True, False), new
    assert needs_write(False, old, old, _r(41, "x +41")) == (False, False)
    assert needs_write(True, None, None, old) == (True, False)


def test_any_hand_edit_of_the_crm_field_is_drift_even_a_number() -> None:
    written = _r(40, "title.exec +20; email_open +13.4 (x3)")
    edited = _r(40, "title.exec +99; email_open +13.4 (x3)")
    aged = _r(40, "title.exec +20; email_open +13.3 (x3)")
    assert needs_write(True, edited, written, aged) == (True, True)
    # the CRM already holds exactly the new values (a write whose outcome was lost)
    assert needs_write(True, aged, written, aged) == (False, False)
