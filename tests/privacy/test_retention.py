"""Retention: the daily pass prunes activities no score can still see; scores
are unchanged."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from syncd.core import summary
from syncd.core.usage import activity_horizon
from syncd.modelfile import load_model
from syncd.state.schema import activities
from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import MODEL, seed
from tests.sync.helpers import NAME, NOW, Clock, expected_scores, make_engine, write_config


def test_horizon_of_the_default_model() -> None:
    h = activity_horizon(load_model(MODEL))
    assert h.days("unsubscribe") is None  # an activity disqualifier sees every age
    assert h.days("support_ticket") is None  # a rule without decay
    email_open = h.days("email_open")
    assert email_open is not None and 365 < email_open < 3650
    assert h.days("no_such_type") == h.default >= 30
    assert h.longest() is None


def _keys(url: str) -> set[str]:
    eng = sa.create_engine(url)
    with eng.connect() as conn:
        keys = set(conn.execute(sa.select(activities.c.key)).scalars())
    eng.dispose()
    return keys


def _old(at: str, **data: str) -> dict[str, str]:
    return {"at": at, **data}


def _crm() -> tuple[MemoryCRM, str, str]:
    crm = MemoryCRM()
    ids = seed(crm)
    a, b = ids[0], ids[1]
    # seven-year-old opens and downloads: far past the decay horizon
    crm.add_activity("old-open-a", a, type="email_open", at="2019-11-01T00:00:00Z", campaign="x")
    crm.add_activity("old-dl-b", b, type="content_download", at="2019-10-01T00:00:00Z")
    crm.add_activity("new-dl-b", b, type="content_download", at="2026-11-01T00:00:00Z")
    # the newest of its type stays, however old (engagement recency)
    crm.add_activity("only-click-a", a, type="email_click", at="2018-01-01T00:00:00Z")
    # an activity the model sees at any age (a rule without decay) stays
    crm.add_activity("old-ticket-a", a, type="support_ticket", at="2018-02-01T00:00:00Z")
    crm.add_activity("new-ticket-a", a, type="support_ticket", at="2026-11-02T00:00:00Z")
    return crm, a, b


def test_daily_pass_prunes_old_activities_and_scores_are_unchanged(
    state_url: str, tmp_path: Path
) -> None:
    crm, _a, b = _crm()
    kept_crm, _, _ = _crm()
    (tmp_path / "c").mkdir()
    control_url = f"sqlite:///{tmp_path / 'c' / 'all.db'}"
    clock = Clock(NOW)
    app, _ = make_engine(write_config(tmp_path, state_url), crm, clock=clock)
    keep_all = "    privacy:\n      retention: 36500d\n"  # a century: nothing goes
    control, _ = make_engine(
        write_config(tmp_path / "c", control_url, extra=keep_all), kept_crm, clock=clock
    )
    try:
        for day in range(3):  # the first cycle and two daily passes
            clock.now = NOW + timedelta(days=day)
            assert run_cycle(app, NAME).status == "ok"
            assert run_cycle(control, NAME).status == "ok"
            got = expected_scores(app.store, clock.now)
            want = expected_scores(control.store, clock.now)
            # what is written: score, tier, reasons as shown (a pruned occurrence
            # was worth less than DECAY_FLOOR points), priority
            assert {k: (r.score, r.tier, summary(r), r.priority) for k, r in got.items()} == {
                k: (r.score, r.tier, summary(r), r.priority) for k, r in want.items()
            }
            for cid in kept_crm.contacts:
                assert crm.fields(cid) == kept_crm.fields(cid), cid
        gone = _keys(control_url) - _keys(state_url)
        assert gone == {"old-open-a", "old-dl-b"}
        stored = app.store.contact(NAME, b)
        assert stored is not None
        assert not any("2019-10-01" in json.dumps(x) for x in stored.json["activities"])
    finally:
        app.close()
        control.close()


def test_configured_retention_applies_to_every_type(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    crm = MemoryCRM()
    a = seed(crm)[0]
    crm.add_activity("old-ticket-a", a, type="support_ticket", at="2018-02-01T00:00:00Z")
    crm.add_activity("new-ticket-a", a, type="support_ticket", at="2026-11-02T00:00:00Z")
    clock = Clock(NOW)
    extra = "    privacy:\n      retention: 365d\n"
    app, _ = make_engine(write_config(tmp_path, url, extra=extra), crm, clock=clock)
    try:
        run_cycle(app, NAME)
        clock.now = NOW + timedelta(days=1)
        run_cycle(app, NAME)
    finally:
        app.close()
    keys = _keys(url)
    assert "old-ticket-a" not in keys and "new-ticket-a" in keys


def test_prune_keeps_the_newest_of_each_type_ties_by_key(state_url: str) -> None:
    """Of equally old activities of one type the greatest key stays; other types
    and other contacts are judged on their own."""
    from connectors.base import ActivityRecord, ContactRecord, Page
    from syncd.core.usage import Horizon
    from syncd.state import Store

    store = Store.open(state_url)
    try:
        at = "2019-01-01T00:00:00Z"
        store.commit_page(
            "r",
            Page(
                contacts=[ContactRecord(i, "contact", {"email": f"{i}@x.io"}) for i in ("1", "2")],
                activities=[
                    ActivityRecord("k-a", "1", {"type": "email_open", "at": at}),
                    ActivityRecord("k-c", "1", {"type": "email_open", "at": at}),
                    ActivityRecord("k-b", "1", {"type": "email_open", "at": at}),
                    ActivityRecord("k-d", "1", {"type": "page_view", "at": at, "url": "/"}),
                    ActivityRecord("k-e", "2", {"type": "email_open", "at": at}),
                    ActivityRecord("k-f", "2", {"type": "email_open", "at": NOW.isoformat()}),
                ],
            ),
            NOW,
        )
        assert store.prune_activities("r", Horizon({"page_view": None}, 30.0), NOW) == 3
        with store.engine.connect() as conn:
            left = set(conn.execute(sa.select(activities.c.key)).scalars())
        assert left == {"k-c", "k-d", "k-f"}
        stored = store.contact("r", "1")
        assert stored is not None and len(stored.json["activities"]) == 2
    finally:
        store.close()
