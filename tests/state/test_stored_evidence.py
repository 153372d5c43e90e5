"""Stored scoring evidence on SQLite and PostgreSQL: saved with the verdicts,
read back instead of a rebuilt contact only while it still holds (same ref,
contact not dirty, text readable), cleared by every write of the contact's
form or activities, shown by a subject-access export, erased by forget."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.base import AccountRecord, ActivityRecord, ContactRecord, Page, WrittenValues
from syncd.core import CompiledModel
from syncd.core.evidence import Evidence, evidence_text, match
from syncd.modelfile import SHIPPED_DIR, load_model
from syncd.state import Store
from syncd.state.forget import erase
from syncd.state.records import ScoringRow
from syncd.state.schema import contacts
from syncd.state.subject_access import subject_access

NOW = datetime(2026, 11, 23, tzinfo=UTC)
C = "c1"
REF = "model-v1/evidence-1"


@pytest.fixture(scope="module")
def model() -> CompiledModel:
    return load_model(SHIPPED_DIR / "default.yaml")


@pytest.fixture
def store(state_url: str) -> Iterator[Store]:
    s = Store.open(state_url)
    yield s
    s.close()


def _contact(cid: str, account: str | None = "A1", **props: object) -> ContactRecord:
    return ContactRecord(
        id=cid,
        kind="contact",
        data={
            "id": cid,
            "email": f"p{cid}@acme.io",
            "created_at": "2026-01-05T09:00:00Z",
            "properties": {"title": "VP Marketing", "employees": 120, **props},
        },
        account_id=account,
        crm_values=WrittenValues(score=1, tier="x", reasons="r", priority=False),
    )


def _act(key: str, cid: str, at: str, typ: str = "page_view") -> ActivityRecord:
    return ActivityRecord(key, cid, {"type": typ, "at": at, "url": "https://acme.io/pricing"})


def _seed(store: Store) -> None:
    store.commit_page(
        C,
        Page(
            contacts=[_contact("1"), _contact("2", country="US"), _contact("3", account=None)],
            accounts=[AccountRecord("A1", {"name": "Acme", "properties": {"industry": "Tech"}})],
            activities=[
                _act("k1", "1", "2026-11-20T10:00:00Z"),
                _act("k2", "1", "2026-11-01T10:00:00Z", "email_open"),
                _act("k3", "2", "2026-11-21T10:00:00Z"),
                _act("k4", "3", "2026-10-02T10:00:00Z", "webinar_attended"),
            ],
        ),
        NOW,
    )


def _rows(store: Store, ref: str | None = None, dirty: bool = False) -> dict[str, ScoringRow]:
    store.prepare_scoring(C)  # as a cycle does: account links and keys
    read = store.dirty_groups if dirty else store.all_groups
    return {sc.id: sc for group in read(C, 500, evidence_ref=ref) for sc in group}


def _save_evidence(store: Store, model: CompiledModel) -> dict[str, Evidence]:
    """Match every stored contact, save its evidence under ``REF`` and clear
    the flags (as a rescore does); returns the evidence by contact id."""
    found = {cid: match(model, sc.contact) for cid, sc in _rows(store).items()}
    store.save_scores(
        C,
        [],
        sorted(found),
        "run",
        NOW,
        evidence=[(cid, evidence_text(ev)) for cid, ev in found.items()],
        evidence_ref=REF,
    )
    return found


def _stored(store: Store, cid: str) -> dict[str, Any]:
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(contacts).where(contacts.c.connector == C, contacts.c.id == cid)
        ).one()
    return dict(row._mapping)


def _rebuilt(sc: ScoringRow) -> bool:
    return sc.contact is not None and sc.evidence is None and sc.error is None


def test_saved_evidence_comes_back_instead_of_the_contact(
    store: Store, model: CompiledModel
) -> None:
    _seed(store)
    plain = _rows(store)
    saved = _save_evidence(store, model)
    assert saved["1"].found and saved["2"].fit and saved["3"].engaged  # not empty evidence
    got = _rows(store, REF)
    assert set(got) == {"1", "2", "3"}
    for cid, sc in got.items():
        assert sc.contact is None and sc.error is None
        assert sc.evidence == saved[cid]
        # the state is read as without evidence (flags cleared by the save)
        assert sc.desired == plain[cid].desired and sc.account_key == plain[cid].account_key
        assert (sc.dirty, sc.recheck) == (False, False)
    # without a ref, or under another ref, every contact is rebuilt
    for ref in (None, "model-v2/evidence-1"):
        again = _rows(store, ref)
        assert all(_rebuilt(sc) for sc in again.values()), ref
        assert {cid: sc.contact for cid, sc in again.items()} == {
            cid: sc.contact for cid, sc in plain.items()
        }


def test_a_dirty_contact_is_rebuilt_even_with_evidence(store: Store, model: CompiledModel) -> None:
    """A changed account marks its contacts dirty and leaves their stored
    evidence alone: it is not read while they are dirty."""
    _seed(store)
    _save_evidence(store, model)
    store.commit_page(
        C,
        Page(accounts=[AccountRecord("A1", {"name": "Acme", "properties": {"industry": "IT"}})]),
        NOW,
    )
    assert _stored(store, "1")["evidence"] is not None and _stored(store, "1")["dirty"]
    for dirty in (False, True):
        got = _rows(store, REF, dirty=dirty)
        assert _rebuilt(got["1"]) and _rebuilt(got["2"]), dirty
        assert got["1"].contact.account_key == "id:A1"
    assert _rows(store, REF)["3"].evidence is not None  # not dirty: still read


def test_dirty_groups_give_clean_mates_their_evidence(store: Store, model: CompiledModel) -> None:
    _seed(store)
    saved = _save_evidence(store, model)
    store.commit_page(C, Page(contacts=[_contact("1", country="CA")]), NOW)
    got = _rows(store, REF, dirty=True)
    assert set(got) == {"1", "2"}  # the dirty contact's whole group
    assert _rebuilt(got["1"]) and got["1"].dirty
    assert got["2"].contact is None and got["2"].evidence == saved["2"]


def test_unreadable_evidence_is_ignored(store: Store, model: CompiledModel) -> None:
    _seed(store)
    plain = _rows(store)
    saved = _save_evidence(store, model)
    store.save_scores(
        C, [], [], "run", NOW, evidence=[("1", "[1,2]"), ("3", "not json")], evidence_ref=REF
    )
    got = _rows(store, REF)
    for cid in ("1", "3"):
        assert _rebuilt(got[cid]), cid
        assert got[cid].contact == plain[cid].contact
    assert got["2"].evidence == saved["2"]


def test_saving_evidence_changes_nothing_else(store: Store, model: CompiledModel) -> None:
    _seed(store)  # every contact dirty, never scored
    ev = match(model, _rows(store)["1"].contact)
    before = {cid: _stored(store, cid) for cid in ("1", "2", "3")}
    store.save_scores(C, [], [], "run", NOW, evidence=[("1", evidence_text(ev))], evidence_ref=REF)
    after = {cid: _stored(store, cid) for cid in ("1", "2", "3")}
    assert (after["1"].pop("evidence"), after["1"].pop("evidence_ref")) == (evidence_text(ev), REF)
    del before["1"]["evidence"], before["1"]["evidence_ref"]
    assert after == before
    assert after["1"]["dirty"]  # still dirty: its evidence is not read
    assert _rebuilt(_rows(store, REF)["1"])
    with pytest.raises(ValueError, match="evidence_ref"):
        store.save_scores(C, [], [], "run", NOW, evidence=[("1", evidence_text(ev))])


def test_a_changed_contact_loses_its_evidence(store: Store, model: CompiledModel) -> None:
    _seed(store)
    _save_evidence(store, model)
    # only the CRM's copy of syncd's fields moved: the evidence still holds
    again = _contact("2", country="US")
    store.commit_page(
        C,
        Page(
            contacts=[
                ContactRecord(
                    id=again.id,
                    kind=again.kind,
                    data=again.data,
                    account_id=again.account_id,
                    crm_values=WrittenValues(score=7, tier="y", reasons="r", priority=False),
                )
            ]
        ),
        NOW,
    )
    assert _stored(store, "2")["recheck"] and _stored(store, "2")["evidence_ref"] == REF
    store.commit_page(C, Page(contacts=[_contact("1", employees=9000)]), NOW)
    row = _stored(store, "1")
    assert (row["evidence"], row["evidence_ref"]) == (None, None)
    store.save_scores(C, [], ["1"], "run", NOW)  # clean again, still no evidence
    got = _rows(store, REF)
    assert _rebuilt(got["1"]) and got["1"].contact.raw["employees"] == 9000
    assert got["2"].evidence is not None and got["3"].evidence is not None


def test_a_new_activity_clears_the_evidence(store: Store, model: CompiledModel) -> None:
    _seed(store)
    _save_evidence(store, model)
    store.commit_page(C, Page(activities=[_act("k9", "2", "2026-11-22T10:00:00Z")]), NOW)
    assert (_stored(store, "2")["evidence"], _stored(store, "2")["evidence_ref"]) == (None, None)
    assert _stored(store, "1")["evidence_ref"] == REF
    store.save_scores(C, [], ["1", "2"], "run", NOW)
    got = _rows(store, REF)
    assert _rebuilt(got["2"]) and len(got["2"].contact.activities) == 2
    assert got["1"].evidence is not None


def test_retention_pruning_clears_the_evidence(store: Store, model: CompiledModel) -> None:
    """Pruning rewrites the stored activities without marking the contact
    dirty: its evidence goes with them."""
    _seed(store)
    store.commit_page(C, Page(activities=[_act("k0", "1", "2026-06-01T10:00:00Z")]), NOW)
    saved = _save_evidence(store, model)
    assert saved["1"].found != match(model, _rows(store)["2"].contact).found
    assert store.prune_activities(C, lambda _t: 30.0, NOW) == 1  # k0: older page view
    row = _stored(store, "1")
    assert (row["evidence"], row["evidence_ref"], row["dirty"]) == (None, None, False)
    got = _rows(store, REF)
    assert _rebuilt(got["1"]) and len(got["1"].contact.activities) == 2
    assert got["2"].evidence == saved["2"]


def test_subject_access_shows_the_evidence_and_forget_erases_it(
    store: Store, model: CompiledModel
) -> None:
    _seed(store)
    saved = _save_evidence(store, model)
    found = subject_access(store.engine, C, "1")
    assert found is not None
    shown = found["contact"]
    assert shown["evidence_ref"] == REF
    assert shown["evidence"] == [
        0,
        "id:A1",
        saved["1"].priority,
        saved["1"].created_ts,
        None,
        list(saved["1"].act_disq),
        list(saved["1"].engaged),
        [[slot, list(ts)] for slot, ts in saved["1"].found],
        list(saved["1"].fit),
    ]
    erase(store.engine, C, ["1"], requested_by="test", now=NOW)
    assert subject_access(store.engine, C, "1") is None
    with store.engine.connect() as conn:
        texts = conn.execute(sa.select(contacts.c.evidence).where(contacts.c.connector == C))
        assert evidence_text(saved["1"]) not in set(texts.scalars())
