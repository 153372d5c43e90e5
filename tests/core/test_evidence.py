"""Stored evidence scores exactly as the contact does: matched once, without
a clock, and evaluated at any later (or earlier) time, through its text form,
it gives the reference's partial result; a chunk mixing contacts and
evidence scores as the contacts alone do, routed or not."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd.core import Activity, CompiledModel, Contact, ContactError, compile_model
from syncd.core.evidence import Evidence, evidence_from_text, evidence_text, match
from syncd.core.routing import (
    KEY_MAX,
    build_router,
    evidence_key,
    score_evidence,
    score_routed,
    single_router,
)
from syncd.core.schema import Condition
from syncd.core.scoring import evaluate
from syncd.modelfile import load_model as load_model_file
from tests.core.test_equivalence import DAY, NOW, contacts, models
from tests.kit.reference import reference_partial
from tests.kit.scoring import AS_OF, model
from tests.kit.seed import MODEL


def load_model(name: str) -> CompiledModel:
    """The shipped default model, or the buying-group model of its tests."""
    if name == "default":
        return load_model_file(MODEL)
    from tests.core.test_buying_group import bg_model

    return bg_model()


#: as-of times around the generated activities' ages (-1 to 200 days)
SHIFTS = [-2.0, 0.0, 0.25, 5.0, 45.0, 400.0]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(), contacts)
def test_evidence_evaluated_at_any_time_equals_the_reference(m: CompiledModel, c: Contact) -> None:
    ev = match(m, c)
    stored = evidence_from_text(evidence_text(ev))
    assert stored == ev
    for shift in SHIFTS:
        ts = NOW + shift * DAY
        assert evaluate(m, c.id, stored, ts) == reference_partial(m, c, ts), shift


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(), st.lists(contacts, min_size=1, max_size=6, unique_by=lambda c: c.id), st.data())
def test_a_chunk_of_evidence_and_contacts_scores_as_the_contacts(
    m: CompiledModel, cs: list[Contact], data: st.DataObject
) -> None:
    router = single_router(m)
    stored = data.draw(st.lists(st.booleans(), min_size=len(cs), max_size=len(cs)))
    items = [(c.id, match(m, c) if s else c) for c, s in zip(cs, stored, strict=True)]
    later = AS_OF.replace(day=AS_OF.day + 1) if AS_OF.day < 28 else AS_OF
    results, fresh = score_evidence(router, items, later)
    assert results == score_routed(router, cs, later)
    assert fresh == [None if s else match(m, c) for c, s in zip(cs, stored, strict=True)]


def test_routed_evidence_keeps_its_route_and_scores_as_routed() -> None:
    base = load_model("default")
    other = compile_model(base.spec.model_copy(update={"name": "emea"}))
    router = build_router(
        [({"country": Condition.model_validate({"in": ["TR"]})}, other), ({}, base)]
    )
    cs = [
        Contact(id="tr", properties={"country": "TR", "title": "CEO"}),
        Contact(id="us", properties={"country": "US", "title": "CEO"}),
    ]
    evs = [match(router.routes[router.index(c)].model, c, router.index(c)) for c in cs]
    assert [e.route for e in evs] == [0, 1]
    results, fresh = score_evidence(
        router, [(c.id, e) for c, e in zip(cs, evs, strict=True)], AS_OF
    )
    assert results == score_routed(router, cs, AS_OF)
    assert [r.model for r in results] == [other.ref, base.ref]
    assert fresh == [None, None]
    _, matched = score_evidence(router, [(c.id, c) for c in cs], AS_OF)
    assert matched == evs


def test_the_evidence_key_names_the_router_and_the_layout() -> None:
    m = load_model("default")
    key = evidence_key(single_router(m), "1.0")
    assert key is not None and key.startswith(m.ref + "/evidence") and key.endswith("/1.0")
    assert evidence_key(single_router(m), "1.1") != key  # another release matches anew


def test_a_buying_group_model_has_no_evidence_key() -> None:
    m = load_model("buying_group")
    assert m.buying_group is not None
    assert evidence_key(single_router(m), "1.0") is None


def test_future_activities_count_once_their_time_comes() -> None:
    m = load_model("default")
    c = Contact(
        id="c",
        properties={"title": "CEO"},
        activities=(Activity("page_view", NOW + DAY, {"url": "/pricing"}),),
    )
    ev = match(m, c)
    assert evaluate(m, "c", ev, NOW) == reference_partial(m, c, NOW)
    assert evaluate(m, "c", ev, NOW + 2 * DAY) == reference_partial(m, c, NOW + 2 * DAY)
    assert evaluate(m, "c", ev, NOW).engagement != evaluate(m, "c", ev, NOW + 2 * DAY).engagement


@pytest.mark.parametrize("text", ["", "[", "{}", "[1,2]", "[0,null,false,null,null,[],[],[],[]] x"])
def test_a_text_evidence_text_did_not_write_is_refused(text: str) -> None:
    with pytest.raises(ContactError, match="stored evidence unreadable"):
        evidence_from_text(text)


def test_a_disqualified_contact_keeps_no_rule_evidence() -> None:
    m = model(
        """
        rules:
          - {id: ceo, when: {title: CEO}, points: 20}
          - {id: view, activity: page_view, points: 5}
        disqualifiers:
          - {id: student, when: {occupation: Student}}
          - {id: unsub, activity: unsubscribe}
        """
    )
    acts = (Activity("page_view", NOW - DAY, {}), Activity("unsubscribe", NOW + DAY, {}))
    props = {"title": "CEO", "occupation": "student"}
    ev: Evidence = match(m, Contact(id="x", properties=props, activities=acts))
    assert (ev.disqualifier, ev.found, ev.fit, ev.act_disq) == (0, (), (), ())
    assert ev.engaged == (NOW - DAY,)  # recency is kept: account signals read it
    ev = match(m, Contact(id="y", properties={"title": "CEO"}, activities=acts))
    assert ev.disqualifier is None and ev.fit == (0,) and ev.act_disq == (NOW + DAY,)
    assert evaluate(m, "y", ev, NOW).disqualifier is None
    assert evaluate(m, "y", ev, NOW + DAY).disqualifier == "unsub"


def test_a_long_evidence_key_is_replaced_by_its_digest() -> None:
    m = model("rules: [{id: ceo, when: {title: CEO}, points: 20}]").spec
    long = compile_model(m.model_copy(update={"name": "n" * 300}))
    key = evidence_key(single_router(long), "1.0")
    assert key is not None and len(key) <= KEY_MAX and key.startswith("evidence")
    other = compile_model(m.model_copy(update={"name": "n" * 299}))
    assert evidence_key(single_router(other), "1.0") != key
