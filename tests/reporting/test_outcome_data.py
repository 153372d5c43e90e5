"""The KPI reads: the last model change, each contact's first score and the score and
tier the old model last gave it, from a real state store on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from syncd.core.outcomes import OutcomeRule
from syncd.reporting.kpis import compute
from syncd.reporting.outcome_data import lead_facts, model_changed_at
from syncd.state.schema import contacts, outcomes, score_history
from syncd.state.store import Store


def _d(day: int) -> datetime:
    return datetime(2026, 10, day, tzinfo=UTC)


def test_lead_facts_know_the_old_models_score_and_tier(state_url: str) -> None:
    store = Store.open(state_url)
    try:
        engine = store.engine
        with engine.begin() as conn:
            conn.execute(sa.insert(contacts), [
                {"connector": "hs", "id": i, "kind": "contact", "data": "{}", "score": s,
                 "tier": t, "mql_at": None}
                for i, s, t in (("a", 90, "hot"), ("b", 40, "nurture"))
            ])  # fmt: skip
            conn.execute(sa.insert(score_history), [
                {"connector": "hs", "contact_id": c, "at": _d(day), "score": s, "tier": t,
                 "model_ref": m, "run_id": f"r{day}"}
                for c, day, s, t, m in (
                    ("a", 1, 50, "nurture", "v1"),
                    ("a", 3, 70, "mql", "v1"),  # the old model's last word on a
                    ("a", 5, 90, "hot", "v2"),
                    ("b", 6, 40, "nurture", "v2"),  # first scored by the new model
                )
            ])  # fmt: skip
        changed = model_changed_at(engine, "hs")
        assert changed == _d(5)
        facts = {f.id: f for f in lead_facts(engine, "hs", changed)}
        a, b = facts["a"], facts["b"]
        assert (a.first_scored_at, a.score_then, a.tier_then) == (_d(1), 70, "mql")
        assert (b.first_scored_at, b.score_then, b.tier_then) == (_d(6), None, None)
        assert lead_facts(engine, "hs")[0].score_then is None
    finally:
        store.close()


def test_a_converted_lead_and_the_contact_it_became_are_one_person(state_url: str) -> None:
    store = Store.open(state_url)
    try:
        with store.engine.begin() as conn:
            conn.execute(sa.insert(contacts), [
                {"connector": "sf", "id": i, "kind": k, "data": "{}", "score": s, "tier": t,
                 "mql_at": m}
                for i, k, s, t, m in (
                    ("00Q1", "lead", 80, "mql", _d(1)),  # an MQL, then converted on day 3
                    ("0031", "contact", 60, "nurture", None),
                    ("0032", "contact", 70, "mql", _d(2)),  # someone else, never converted
                )
            ])  # fmt: skip
            conn.execute(sa.insert(outcomes), [
                {"connector": "sf", "contact_id": "0031", "key": "lead:00Q1:converted",
                 "kind": "opportunity", "at": _d(3)},
            ])  # fmt: skip
        facts = lead_facts(store.engine, "sf")
        assert sorted((f.id, f.tier, f.mql_at) for f in facts) == [
            ("0031", "nurture", _d(1)),
            ("0032", "mql", _d(2)),
        ]
        kpis = compute(facts, OutcomeRule(), now=_d(1) + timedelta(days=120))
        assert (kpis.contacts, kpis.positives) == (2, 1)
        assert (kpis.cohort.mqls, kpis.cohort.sql, kpis.cohort.converted) == (2, 1, 1)
    finally:
        store.close()
