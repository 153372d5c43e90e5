"""The pure write-back decision (syncd.sync.writeback): contact and account
verdicts, rank, re-diffs. No I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from syncd.core import Reason, ScoreResult
from syncd.state import AccountState, AccountValues, ContactState, CrmValues, Desired
from syncd.sync.writeback import (
    MQL_CROSSING,
    SEARCH_LAG,
    TIER_CHANGE,
    account_pending,
    account_recheck,
    account_verdict,
    behind,
    contact_verdict,
    desired_of,
    needs_write,
    rank,
    recheck,
    same_meaning,
)

MQL = frozenset({"mql", "hot"})
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _v(score: int, tier: str) -> Desired:
    return Desired(score=score, tier=tier, reasons="r", priority=False)


def _read(d: Desired) -> CrmValues:
    return CrmValues(score=d.score, tier=d.tier, reasons=d.reasons, priority=d.priority)


def _sc(
    *,
    crm: CrmValues | None,
    desired: Desired | None,
    written: Desired | None,
    writable: bool = True,
    **state: object,
) -> ContactState:
    return ContactState(
        id="c",
        kind="contact",
        writable=writable,
        account_key=None,
        crm=crm,
        desired=desired,
        desired_mql=desired is not None and desired.tier in MQL,
        written=written,
        mql_at=None,
        dead=False,
        attempts=0,
        **state,  # type: ignore[arg-type]
    )


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
    # a CRM score field that was read empty counts as a move from 0
    empty = CrmValues(score=None, tier="nurture", reasons=None, priority=None)
    assert rank(_v(40, "nurture"), False, empty, MQL) == 40


def test_recheck_finds_drift_and_leaves_equal_values_alone() -> None:
    v = _v(60, "mql")
    same = recheck(_sc(crm=_read(v), desired=v, written=v), MQL, NOW)
    assert same is not None and (same.pending, same.drift) == (False, False)
    edited = _v(3, "unqualified")
    found = recheck(_sc(crm=_read(edited), desired=v, written=v), MQL, NOW)
    assert found is not None and (found.pending, found.drift) == (True, True)
    assert found.rank >= MQL_CROSSING
    # a converted lead is never written; a never-scored contact waits for scoring
    locked = recheck(_sc(crm=_read(edited), desired=v, written=v, writable=False), MQL, NOW)
    assert locked is not None and (locked.pending, locked.drift) == (False, False)
    assert recheck(_sc(crm=_read(edited), desired=None, written=None), MQL, NOW) is None


S = timedelta(seconds=1)


def test_a_copy_older_than_the_write_is_the_crm_catching_up_not_drift() -> None:
    v = desired_of(_result(60, 60, tier="mql", mql=True))
    stale = _read(_v(3, "unqualified"))  # what the CRM held before syncd's write
    written_at = NOW - 2 * S
    lagging = _sc(
        crm=stale, desired=v, written=v, written_at=written_at, crm_modified_at=NOW - S * 90
    )
    assert behind(NOW - 90 * S, written_at, NOW)
    found = recheck(lagging, MQL, NOW)
    assert found is not None and (found.pending, found.drift) == (False, False)
    assert found.rank < TIER_CHANGE  # ranked against what syncd wrote
    # ... but it stays marked for a later look: the same stamp may be a hand edit
    assert found.waiting
    kept = contact_verdict(lagging, _result(60, 60, tier="mql", mql=True), MQL, NOW)
    assert not kept.pending and not kept.drift and kept.waiting
    # a new score is still written, as a change, not as drift
    moved = contact_verdict(lagging, _result(75, 75, tier="mql", mql=True), MQL, NOW)
    assert moved.pending and not moved.drift


def test_an_edit_after_the_write_is_drift_even_seconds_later() -> None:
    v = _v(60, "mql")
    edited = _read(_v(3, "unqualified"))
    written_at = NOW - 2 * S
    after = _sc(crm=edited, desired=v, written=v, written_at=written_at, crm_modified_at=NOW - S)
    assert not behind(NOW - S, written_at, NOW)
    found = recheck(after, MQL, NOW)
    assert found is not None and (found.pending, found.drift) == (True, True)
    # no stamp (the connector gave none) or no write time: every difference is drift
    no_stamp = _sc(crm=edited, desired=v, written=v, written_at=written_at)
    no_time = _sc(crm=edited, desired=v, written=v, crm_modified_at=NOW - 90 * S)
    for unknown in (recheck(no_stamp, MQL, NOW), recheck(no_time, MQL, NOW)):
        assert unknown is not None and (unknown.pending, unknown.drift) == (True, True)


def test_a_copy_still_older_than_the_write_after_the_lag_is_a_lost_write() -> None:
    v = _v(60, "mql")
    stale = _read(_v(3, "unqualified"))
    written_at = NOW - SEARCH_LAG
    assert not behind(written_at - S, written_at, NOW)
    assert behind(written_at - S, written_at, NOW - S)
    lost = _sc(
        crm=stale, desired=v, written=v, written_at=written_at, crm_modified_at=written_at - S
    )
    found = recheck(lost, MQL, NOW)
    assert found is not None and (found.pending, found.drift) == (True, True)
    assert not found.waiting
    # a CRM copy that already holds syncd's write has nothing to wait for
    caught_up = _sc(
        crm=_read(v), desired=v, written=v, written_at=NOW - S, crm_modified_at=NOW - 2 * S
    )
    done = recheck(caught_up, MQL, NOW)
    assert done is not None and not done.waiting and not done.pending


def test_a_hand_edit_in_the_second_of_the_write_is_repaired_once_the_lag_has_passed() -> None:
    """Whole-second stamps: an edit made in the same second as syncd's write
    looks like a stale read; the contact stays marked and a later look, past
    the lag, writes it back."""
    v = _v(60, "mql")
    edited = _read(_v(1, "hot"))
    written_at = NOW
    sc = _sc(crm=edited, desired=v, written=v, written_at=written_at, crm_modified_at=written_at)
    first = recheck(sc, MQL, NOW + S)
    assert first is not None and not first.pending and first.waiting
    later = recheck(sc, MQL, NOW + SEARCH_LAG)
    assert later is not None and (later.pending, later.drift) == (True, True)
    assert not later.waiting


def _r(score: int, reasons: str, tier: str = "nurture") -> Desired:
    return Desired(score=score, tier=tier, reasons=reasons, priority=False)


def test_decayed_points_alone_never_need_a_write() -> None:
    old = _r(40, "title.exec +20; email_open +13.4 (x3); careers -4.6; pricing_page +15")
    aged = _r(40, "title.exec +20; email_open +13.3 (x3); careers -4.5; pricing_page +15")
    assert same_meaning(old, aged)
    assert needs_write(True, _read(old), old, aged) == (False, False)
    assert needs_write(True, None, old, aged) == (False, False)


def test_score_tier_priority_or_rules_changing_need_a_write() -> None:
    old = _r(40, "title.exec +20; email_open +13.4 (x3)")
    for new in (
        _r(41, old.reasons),
        _r(40, old.reasons, tier="mql"),
        Desired(score=40, tier="nurture", reasons=old.reasons, priority=True),
        _r(40, "title.exec +20; email_open +13.4 (x4)"),
        _r(40, "email_open +13.4 (x3); title.exec +20"),
        _r(40, "title.exec +20; email_open +13.4 (x3); careers -5"),
        _r(40, "disqualified: occupation.student"),
    ):
        assert not same_meaning(old, new), new
        assert needs_write(True, _read(old), old, new) == (True, False), new
    assert needs_write(False, _read(old), old, _r(41, "x +41")) == (False, False)
    assert needs_write(True, None, None, old) == (True, False)


def test_a_crm_field_read_empty_never_agrees() -> None:
    new = _r(40, "title.exec +20")
    partly = CrmValues(score=40, tier="nurture", reasons=None, priority=False)
    assert not same_meaning(partly, new)
    assert needs_write(True, partly, None, new) == (True, False)


def test_any_hand_edit_of_the_crm_field_is_drift_even_a_number() -> None:
    written = _r(40, "title.exec +20; email_open +13.4 (x3)")
    edited = _r(40, "title.exec +99; email_open +13.4 (x3)")
    aged = _r(40, "title.exec +20; email_open +13.3 (x3)")
    assert needs_write(True, _read(edited), written, aged) == (True, True)
    # the CRM already holds exactly the new values (a write whose outcome was lost)
    assert needs_write(True, _read(aged), written, aged) == (False, False)


def _result(score: int, points: float, tier: str = "nurture", mql: bool = False) -> ScoreResult:
    return _res(score, points, tier, mql, "m@1")


def _res(score: int, points: float, tier: str, mql: bool, model: str) -> ScoreResult:
    return ScoreResult(
        id="c",
        score=score,
        exact=float(score),
        tier=tier,
        mql=mql,
        disqualified=False,
        priority=False,
        model=model,
        fit=0.0,
        engagement=0.0,
        account=0.0,
        reasons=(Reason("title.exec", points),),
        account_key=None,
    )


def test_a_verdict_that_only_ages_the_points_is_not_rewritten() -> None:
    first = contact_verdict(_sc(crm=None, desired=None, written=None), _result(40, 20.4), MQL, NOW)
    assert first.persist and first.pending and first.history and first.reset_ledger
    stored = _sc(
        crm=_read(first.values),
        desired=first.values,
        written=first.values,
        model_ref="m@1",
        rank=first.rank,
    )
    aged = contact_verdict(stored, _result(40, 20.3), MQL, NOW)
    assert not aged.persist and not aged.pending and aged.values == first.values
    moved = contact_verdict(stored, _result(41, 21.0), MQL, NOW)
    assert moved.persist and moved.pending and moved.history
    assert moved.values == desired_of(_result(41, 21.0))
    # a new model version is stored even when the values agree
    other = contact_verdict(stored, _res(40, 20.4, "nurture", False, "m@2"), MQL, NOW)
    assert other.persist and not other.pending


def test_mql_at_is_kept_once_set_and_set_on_the_first_mql_verdict() -> None:
    v = contact_verdict(
        _sc(crm=None, desired=None, written=None), _result(70, 70, tier="mql", mql=True), MQL, NOW
    )
    assert v.mql_at == NOW


def _acc(
    crm: int | None,
    desired: AccountValues | None,
    written: AccountValues | None,
    pending: bool = False,
) -> AccountState:
    return AccountState("a1", crm, desired, written, pending)


def test_account_pending_against_the_crm_score_and_the_last_written_text() -> None:
    v = AccountValues(60, "Buying group 67%", True)
    assert account_pending(_acc(None, None, None), v)
    assert not account_pending(_acc(60, v, v), v)
    assert not account_pending(_acc(None, v, v), v)
    assert account_pending(_acc(12, v, v), v)  # a hand edit of the score field
    assert account_pending(_acc(60, v, AccountValues(60, "old text", True)), v)
    assert account_pending(_acc(60, v, AccountValues(60, "Buying group 67%", False)), v)


def test_account_verdict_persists_only_changes_and_resets_on_new_values() -> None:
    v = AccountValues(60, "s", False)
    assert account_verdict(_acc(60, v, v, pending=False), v) is None
    changed = account_verdict(_acc(60, v, v), AccountValues(61, "s", False))
    assert changed is not None and changed.pending and changed.reset_ledger
    # same values, the CRM edited: pending again, the ledger goes on
    edited = account_verdict(_acc(5, v, v, pending=False), v)
    assert edited is not None and edited.pending and not edited.reset_ledger
    assert account_recheck(_acc(5, v, v)) is True
    assert account_recheck(_acc(60, v, v)) is False
    assert account_recheck(_acc(5, None, None)) is None
