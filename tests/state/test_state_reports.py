"""The report queries (``syncd.state.reports``) on SQLite and PostgreSQL, after
two cycles over the in-memory CRM, against the stored rows read back whole."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from syncd.state import reports
from syncd.state.schema import accounts, contacts
from syncd.sync import run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import seed
from tests.sync.helpers import NAME, NOW, Clock, make_engine, write_config


def test_report_queries_agree_with_the_rows(state_url: str, tmp_path: Path) -> None:
    crm = MemoryCRM()
    seed(crm)
    crm.failures["003A2"] = ["rejected"] * 5
    clock = Clock(NOW)
    app, _ = make_engine(
        write_config(tmp_path, state_url, extra="    dead_letter_after: 1\n"), crm, clock=clock
    )
    try:
        run_cycle(app, NAME)
        clock.now = NOW + timedelta(days=8)
        run_cycle(app, NAME)
        engine = app.store.engine
        with engine.connect() as conn:
            rows = conn.execute(sa.select(contacts).where(contacts.c.connector == NAME)).all()
            accs = conn.execute(sa.select(accounts).where(accounts.c.connector == NAME)).all()
        tiers = reports.tier_counts(engine, NAME)
        scores = reports.score_counts(engine, NAME)
        days = reports.mql_days(engine, NAME)
        later = reports.mql_days(engine, NAME, since=NOW + timedelta(days=1))
        leads = reports.top_leads(engine, NAME, 5)
        top_accounts, scored_accounts = reports.account_rows(engine, NAME, 3)
        ledger = reports.ledger_counts(engine, NAME)
        runs = reports.run_records(engine, NAME)
        last = reports.run_records(engine, last=1)
        recent = reports.run_records(engine, NAME, since=NOW + timedelta(days=1))
    finally:
        app.close()

    assert tiers == Counter(r.tier for r in rows) and sum(tiers.values()) == len(crm.contacts)
    assert scores == Counter(r.score for r in rows if r.score is not None)
    assert days == Counter(r.mql_at.date().isoformat() for r in rows if r.mql_at)
    assert days and later == {}  # every MQL entered in the first cycle
    ranked = sorted((r for r in rows if r.score is not None), key=lambda r: (-r.score, r.id))
    assert [x.id for x in leads] == [r.id for r in ranked[:5]]
    assert leads[0].reasons == ranked[0].reasons and leads[0].tier == ranked[0].tier
    by_id = {a.id: a for a in accs}
    assert scored_accounts == sum(1 for a in accs if a.score is not None) > 0
    order = sorted(
        (a for a in accs if a.score is not None), key=lambda a: (not a.priority, -a.score, a.id)
    )
    assert [a.id for a in top_accounts] == [a.id for a in order[:3]]
    for a in top_accounts:
        assert a.name == json.loads(by_id[a.id].data).get("name", a.id)
        assert a.contacts == sum(1 for r in rows if (r.account_id or r.resolved_account_id) == a.id)
    assert (
        (ledger.contacts, ledger.dead)
        == (len(rows), sum(1 for r in rows if r.dead))
        == (len(crm.contacts), 1)
    )
    assert [r.started_at for r in runs] == [NOW + timedelta(days=8), NOW]
    assert runs[1].count("written") > 0 and runs[1].calls and runs[1].seconds == 0.0
    assert [r.run_id for r in last] == [runs[0].run_id] and recent == runs[:1]
