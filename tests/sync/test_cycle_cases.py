"""Done-when cases of the cycle against the in-memory CRM (SQLite and PostgreSQL):
drift repair, retries and dead letters, a short budget, rescore without reads,
dry runs, account resolution, deletions, the daily rescore, the lock."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from syncd.core import summary
from syncd.sandbox.generator import generate
from syncd.sync import Engine, run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import MODEL, seed
from tests.sync.helpers import (
    NAME,
    NOW,
    Clock,
    crm_matches_core,
    expected_scores,
    make_engine,
    write_config,
)


def _synced(tmp_path: Path, url: str) -> tuple[MemoryCRM, Engine]:
    crm = MemoryCRM()
    seed(crm)
    app, _ = make_engine(write_config(tmp_path, url), crm)
    assert run_cycle(app, NAME).status == "ok"
    return crm, app


def test_hand_edited_field_is_restored(tmp_path: Path, state_url: str) -> None:
    crm, app = _synced(tmp_path, state_url)
    right = crm.fields("003A1")
    crm.edit_fields("003A1", score=3, tier="unqualified")
    r = run_cycle(app, NAME)
    assert r.status == "ok" and r.written == 1 and r.drift_repaired == 1
    assert crm.fields("003A1") == right
    assert run_cycle(app, NAME).written == 0


def test_rescore_an_hour_later_writes_only_meaningful_changes(
    tmp_path: Path, state_url: str
) -> None:
    crm = MemoryCRM()
    ds = generate(3, 150, NOW)
    for co in ds.companies:
        crm.add_account(co.key, name=co.name, domain=co.domain)
    for c in ds.contacts:
        crm.add_contact(
            c.key, email=c.email, account_id=c.company_key, properties={"title": c.title}
        )
    for i, a in enumerate(ds.activities):
        crm.add_activity(f"a{i}", a.contact_key, type=a.type, at=a.at.isoformat(), **a.attrs)
    clock = Clock()
    app, _ = make_engine(write_config(tmp_path, state_url), crm, clock=clock)
    assert run_cycle(app, NAME).status == "ok"
    before = {cid: crm.fields(cid) for cid in crm.contacts}
    clock.now = NOW + timedelta(hours=1)
    r = run_cycle(app, NAME, rescore_only=True)
    assert r.status == "ok" and r.scored == len(crm.contacts)
    fresh = expected_scores(app.store, clock.now)
    aged = 0
    for cid, old in before.items():
        new = crm.fields(cid)
        key = ("score", "tier", "priority")
        if new != old:  # written: something beyond the points of the reasons changed
            assert [new[k] for k in key] != [old[k] for k in key] or new["reasons"].count(
                ";"
            ) != old["reasons"].count(";"), cid
        sc = app.store.contact(NAME, cid)
        assert sc is not None and sc.desired is not None
        if new == old and summary(fresh[cid]) != old["reasons"]:
            # decayed points moved: nothing written, and the stored verdict is not
            # rewritten (its text and scored_at stay a consistent pair)
            aged += 1
            assert sc.desired.reasons == old["reasons"] and sc.scored_at == NOW, cid
    assert aged > 0 and r.written < aged
    assert run_cycle(app, NAME, rescore_only=True).written == 0


def test_failures_retried_then_dead_lettered(tmp_path: Path, state_url: str) -> None:
    crm = MemoryCRM()
    seed(crm)
    crm.failures["003A2"] = ["rejected"] * 5
    crm.failures["003A3"] = ["retriable"]
    app, _ = make_engine(write_config(tmp_path, state_url), crm)
    r1 = run_cycle(app, NAME)
    assert r1.write_failures == 2 and r1.pending == 2 and r1.dead_letters == 0
    r2 = run_cycle(app, NAME)  # 003A3 succeeds on retry; 003A2 fails again
    assert crm.fields("003A3")["score"] is not None
    assert r2.pending == 1
    for _ in range(2):
        assert run_cycle(app, NAME).dead_letters == 0
    r = run_cycle(app, NAME)
    assert r.dead_letters == 1 and r.pending == 0
    assert app.store.counts(NAME).dead == 1
    [(cid, attempts, error)] = app.store.dead_letters(NAME)
    assert (cid, attempts) == ("003A2", 5) and "injected rejected failure" in error
    status = app.store.counts(NAME)
    assert (status.pending, status.dead) == (0, 1)
    assert crm.fields("003A2")["score"] is None
    # dead-lettered writes are not retried any more
    assert run_cycle(app, NAME).write_failures == 0


def test_short_budget_writes_tier_changes_first(tmp_path: Path, state_url: str) -> None:
    crm, app = _synced(tmp_path, state_url)
    assert run_cycle(app, NAME).written == 0  # re-reads our writes
    # every contact gets a small score move; two also change tier
    for cid in ("003A3", "003G2"):
        crm.add_activity(f"demo:{cid}", cid, type="webinar_attended", at="2026-11-22T10:00:00Z")
    for cid in ("003A1", "003A2", "003D1", "003D2", "003E1", "003F1"):
        crm.add_activity(f"open:{cid}", cid, type="email_open", at="2026-11-22T10:00:00Z")
    crm.budget = sum(crm.calls.values()) + 3 + 1  # three pages of changes, one write call
    before = {cid: crm.fields(cid)["tier"] for cid in crm.contacts}
    r = run_cycle(app, NAME)
    written = [w["id"] for w in crm.writes[-r.written :]]
    assert r.written == 2  # one write call of two records
    assert all(crm.fields(cid)["tier"] != before[cid] for cid in written), written
    assert r.pending > 0
    crm.budget = None
    r2 = run_cycle(app, NAME)
    assert r2.pending == 0
    crm_matches_core(crm, app.store, NOW)


def test_rescore_only_makes_no_reads_and_dry_run_writes_nothing(
    tmp_path: Path, state_url: str
) -> None:
    crm, app = _synced(tmp_path, state_url)
    reads = crm.calls["read"]
    r = run_cycle(app, NAME, rescore_only=True)
    assert r.status == "ok" and r.kind == "rescore" and r.scored == len(crm.contacts)
    assert crm.calls["read"] == reads and r.written == 0
    # a changed model: dry run shows transitions and writes nothing
    lenient = tmp_path / "lenient.yaml"
    src = Path(app.config(NAME).model)
    text = src.read_text(encoding="utf-8")
    shutil.copy(src.parent / "priority-accounts.csv", tmp_path)
    lenient.write_text(
        text.replace("min: 50", "min: 20").replace("min: 25", "min: 10"), encoding="utf-8"
    )
    app2, _ = make_engine(write_config(tmp_path, state_url, model=lenient), crm)
    writes = len(crm.writes)
    d = run_cycle(app2, NAME, rescore_only=True, dry_run=True)
    assert d.status == "ok" and d.dry_run is not None, d.error
    assert d.dry_run.into_mql > 0 and d.dry_run.out_of_mql == 0
    assert sum(d.dry_run.transitions.values()) == len(crm.contacts)
    assert any(a != b for a, b in d.dry_run.transitions)
    assert d.dry_run.samples and len(crm.writes) == writes and crm.calls["read"] == reads
    assert app2.store.counts(NAME).pending == 0
    # and for real: every changed contact gets written
    r = run_cycle(app2, NAME, rescore_only=True)
    assert r.written == d.dry_run.would_write and crm.calls["read"] == reads


def test_leads_join_their_company_through_the_email_domain(tmp_path: Path, state_url: str) -> None:
    crm = MemoryCRM()
    crm.add_account("001ACME", name="Acme", domain="acme.io", properties={"priority": True})
    crm.add_contact("003X", email="boss@acme.io", account_id="001ACME", properties={"title": "CEO"})
    crm.add_contact(
        "00QL",
        kind="lead",
        email="new.lead@acme.io",
        company="Acme Inc",
        properties={"title": "Engineer"},
    )
    crm.add_contact(
        "00QN", kind="lead", email="x@gmail.com", company="Acme", properties={"title": "Engineer"}
    )
    app, _ = make_engine(write_config(tmp_path, state_url), crm)
    assert run_cycle(app, NAME).status == "ok"
    lead = app.store.contact(NAME, "00QL")
    assert lead is not None and lead.json["account"]["id"] == "001ACME"
    assert lead.account_key == "id:001ACME"
    free = app.store.contact(NAME, "00QN")
    assert free is not None and free.json["account"]["id"] == "001ACME"  # by company name
    crm_matches_core(crm, app.store, NOW)


def test_deleted_contact_leaves_state(tmp_path: Path, state_url: str) -> None:
    crm, app = _synced(tmp_path, state_url)
    crm.delete_contact("003A4")
    r = run_cycle(app, NAME)
    assert r.status == "ok"
    assert app.store.contact(NAME, "003A4") is None
    crm_matches_core(crm, app.store, NOW)


def test_daily_rescore_moves_decayed_scores_without_crm_changes(
    tmp_path: Path, state_url: str
) -> None:
    crm = MemoryCRM()
    seed(crm)
    clock = Clock()
    app, _ = make_engine(write_config(tmp_path, state_url), crm, clock=clock)
    assert run_cycle(app, NAME).status == "ok"
    clock.now = NOW + timedelta(hours=1)
    assert run_cycle(app, NAME).rescored_all is False
    clock.now = NOW + timedelta(days=60)
    r = run_cycle(app, NAME)
    assert r.rescored_all and r.written > 0
    crm_matches_core(crm, app.store, clock.now)


def test_stop_request_saves_state(tmp_path: Path, state_url: str) -> None:
    crm = MemoryCRM()
    seed(crm)
    app, _ = make_engine(write_config(tmp_path, state_url), crm)
    stop = threading.Event()
    stop.set()
    r = run_cycle(app, NAME, stop=stop)
    assert r.status == "stopped" and crm.calls["read"] == 1  # one page committed
    assert app.store.meta(NAME).cursor is not None and crm.writes == []
    r = run_cycle(app, NAME)
    assert r.status == "ok"
    crm_matches_core(crm, app.store, NOW)


def test_second_holder_of_the_lock_is_refused(tmp_path: Path, state_url: str) -> None:
    crm = MemoryCRM()
    seed(crm)
    app, _ = make_engine(write_config(tmp_path, state_url), crm)
    other, _ = make_engine(write_config(tmp_path, state_url), crm)
    other.owner = "someone-else"
    with other.store.lock(NAME, other.owner, other.clock):
        r = run_cycle(app, NAME)
    assert r.status == "skipped" and "held elsewhere" in (r.error or "")
    assert crm.calls["read"] == 0
    assert run_cycle(app, NAME).status == "ok"


@pytest.mark.parametrize("bad", [{"properties": ["x"]}, {"created_at": "yesterday-ish"}])
def test_unusable_record_is_skipped_not_fatal(
    tmp_path: Path, state_url: str, bad: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    crm = MemoryCRM()
    seed(crm)
    crm.add_contact("BAD1", **bad)
    app, _ = make_engine(write_config(tmp_path, state_url), crm)
    caplog.set_level(logging.WARNING, logger="syncd.sync")
    r = run_cycle(app, NAME)
    assert r.status == "ok" and r.skipped == 1
    [rec] = [x for x in caplog.records if getattr(x, "event", "") == "skipped"]
    assert (
        getattr(rec, "connector", ""),
        getattr(rec, "run_id", ""),
        getattr(rec, "record_id", ""),
    ) == (NAME, r.run_id, "BAD1")
    assert crm.fields("BAD1")["score"] is None
    assert r.written == len(crm.contacts) - 1


def test_state_store_outage_is_a_failed_report(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from syncd.state import Store

    crm = MemoryCRM()
    app, _ = make_engine(write_config(tmp_path, f"sqlite:///{tmp_path / 's.db'}"), crm)
    app.store.close()
    app.store = Store(sa.create_engine(f"postgresql+psycopg://u@/db?host={tmp_path / 'none'}"))
    r = run_cycle(app, NAME)
    assert r.status == "failed" and (r.error or "").startswith("state store error")
    assert crm.calls["read"] == 0


def test_crm_outage_mid_pull_keeps_committed_pages(tmp_path: Path, state_url: str) -> None:
    crm = MemoryCRM()
    seed(crm)
    config = write_config(tmp_path, state_url)
    app, _ = make_engine(config, crm, fail_at_page=4)
    r = run_cycle(app, NAME)
    assert r.status == "failed" and "503" in (r.error or "") and crm.writes == []
    assert app.store.meta(NAME).cursor == {"seq": 9}  # three pages of three records
    app.close()
    app, _ = make_engine(config, crm)
    r = run_cycle(app, NAME)
    assert r.status == "ok"
    crm_matches_core(crm, app.store, NOW)


def test_rate_limit_ends_the_writes_without_counting_towards_dead_letters(
    tmp_path: Path, state_url: str
) -> None:
    crm = MemoryCRM()
    seed(crm)
    crm.failures["003A1"] = ["rate"] * 7  # more than dead_letter_after
    app, _ = make_engine(write_config(tmp_path, state_url), crm)
    r = run_cycle(app, NAME)
    assert r.status == "stopped" and "rate limited" in (r.error or "")
    assert r.written < len(crm.contacts) - 1 and r.pending > 1
    for _ in range(7):
        r = run_cycle(app, NAME)
    assert r.status == "ok" and r.dead_letters == 0 and app.store.counts(NAME).dead == 0
    assert r.pending == 0
    crm_matches_core(crm, app.store, NOW)


def test_an_edited_model_is_picked_up_and_everything_rescored(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    shutil.copy(MODEL, model)
    shutil.copy(MODEL.parent / "priority-accounts.csv", tmp_path)
    crm = MemoryCRM()
    seed(crm)
    app, _ = make_engine(write_config(tmp_path, f"sqlite:///{tmp_path / 's.db'}", model=model), crm)
    assert run_cycle(app, NAME).status == "ok"
    assert run_cycle(app, NAME).rescored_all is False
    model.write_text(
        MODEL.read_text(encoding="utf-8").replace("min: 50", "min: 30"), encoding="utf-8"
    )
    os.utime(model, ns=(model.stat().st_atime_ns, model.stat().st_mtime_ns + 10**9))
    r = run_cycle(app, NAME)
    assert r.rescored_all and r.scored == len(crm.contacts) and r.written > 0
    crm_matches_core(crm, app.store, NOW, model)


def test_dry_run_shows_a_hand_edit_it_would_restore(tmp_path: Path, state_url: str) -> None:
    crm, app = _synced(tmp_path, state_url)
    assert run_cycle(app, NAME).written == 0
    right = crm.fields("003A1")
    crm.edit_fields("003A1", score=3, tier="unqualified")
    d = run_cycle(app, NAME, dry_run=True)
    assert d.status == "ok" and d.dry_run is not None
    assert d.dry_run.would_write == 1 and [s[0] for s in d.dry_run.samples] == ["003A1"]
    assert d.dry_run.transitions[("unqualified", right["tier"])] == 1
    assert crm.fields("003A1")["score"] == 3
    r = run_cycle(app, NAME)
    assert r.drift_repaired == 1 and crm.fields("003A1") == right
