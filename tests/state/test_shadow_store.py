"""Shadow scores in the state store, on SQLite and PostgreSQL: upserted by
(connector, model, contact), the first scoring and first MQL flag kept, gone
with their contact (a deletion or a merge's loser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.base import ContactRecord, Page
from syncd.state import Store
from syncd.state.shadow import ShadowRow, load_shadow_scores

T1 = datetime(2026, 11, 1, tzinfo=UTC)
T2 = T1 + timedelta(days=1)
T3 = T2 + timedelta(days=1)


def test_upsert_keeps_first_scoring_and_first_flag(state_url: str) -> None:
    store = Store.open(state_url)
    try:
        e = store.engine
        save = store.save_shadow_scores
        save("c", "m@1", False, [ShadowRow("a", 10, "low", False)], T1)
        save(
            "c",
            "m@1",
            False,
            [ShadowRow("a", 80, "mql", True), ShadowRow("b", 5, "low", False)],
            T2,
        )
        save("c", "m@1", False, [ShadowRow("a", 20, "low", False)], T3)
        save("c", "live@2", True, [ShadowRow("a", 1, "low", False)], T3)
        got = load_shadow_scores(e, "c")
        assert set(got) == {("m@1", False), ("live@2", True)}
        a, b = got[("m@1", False)]
        assert (a.contact_id, a.score, a.tier, a.first_at, a.mql_at) == ("a", 20, "low", T1, T2)
        assert (b.contact_id, b.first_at, b.mql_at, b.mql) == ("b", T2, None, False)
        assert load_shadow_scores(e, "other") == {}
        contacts = [ContactRecord(id=i, kind="contact", data={"id": i}) for i in "ab"]
        store.commit_page("c", Page(contacts=contacts), T3)
        store.commit_page("c", Page(deleted_contacts=["b"], merged={"a": "b2"}), T3)
        assert load_shadow_scores(e, "c") == {}
    finally:
        store.close()
