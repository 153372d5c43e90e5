"""Segments: routing contacts to models (first match wins, a default last),
the router's ref, account scores across segments, unreachable routes, and the
model named in a routed contact's reasons text."""

from __future__ import annotations

from typing import Any

import pytest

from syncd.core import summary
from syncd.core.reasons_text import ReasonItem, format_reasons, parse_reasons, same_rules
from syncd.core.routing import (
    build_router,
    routed_account_scores,
    score_routed,
    shadowed_routes,
    single_router,
)
from syncd.core.schema import Condition
from tests.kit.scoring import AS_OF, contact, model


def _m(name: str, body: str) -> Any:
    return model(body, base=f"name: {name}\ntiers: [{{name: low}}, {{name: high, min: 25}}]\n"
                 "mql_tier: high\n")  # fmt: skip


emea = _m("emea", "rules:\n  - {id: emea.title, points: 30, when: {title: {contains: müdür}}}\n")
dealer = _m("dealer", "rules:\n  - {id: dealer.form, points: 5, activity: form_submit}\n")
default = _m("default", "rules:\n  - {id: title.vp, points: 40, when: {title: {contains: vp}}}\n")


def _when(**conds: Any) -> dict[str, Condition]:
    return {k: Condition.model_validate(v) for k, v in conds.items()}


ROUTES = [
    (_when(country=["TR", "GR", "CY"]), emea),
    (_when(lead_source=["dealer_form"]), dealer),
    ({}, default),
]


def test_first_matching_route_wins_and_the_default_takes_the_rest() -> None:
    router = build_router(ROUTES)
    people = [
        contact(
            "tr", props={"country": "TR", "title": "Satış Müdürü", "lead_source": "dealer_form"}
        ),
        contact("de", props={"country": "DE", "lead_source": "Dealer_Form"}),
        contact("us", props={"country": "US", "title": "VP Sales"}),
        contact("gr", props={"title": "x"}, account={"id": "A", "properties": {"country": "gr"}}),
    ]
    results = score_routed(router, people, AS_OF)
    assert [r.id for r in results] == ["tr", "de", "us", "gr"]
    assert [r.model.split("@")[0] for r in results] == ["emea", "dealer", "default", "emea"]
    assert all(r.routed for r in results)
    assert results[0].score == 30 and results[2].score == 40
    assert summary(results[0]) == f"model: {emea.ref}; emea.title +30"


def test_the_ref_names_routes_and_models_and_one_route_is_the_models_ref() -> None:
    assert single_router(default).ref == default.ref
    assert not score_routed(single_router(default), [contact()], AS_OF)[0].routed
    ref = build_router(ROUTES).ref
    assert ref.startswith("segments@") and ref == build_router(list(ROUTES)).ref
    moved = [(_when(country=["TR", "GR"]), emea), *ROUTES[1:]]
    assert build_router(moved).ref != ref
    assert build_router([ROUTES[1], ROUTES[0], ROUTES[2]]).ref != ref


def test_a_router_needs_a_default_last() -> None:
    with pytest.raises(ValueError, match="default"):
        build_router(ROUTES[:2])
    with pytest.raises(ValueError, match="no routes"):
        build_router([])


def test_tiers_and_mql_tiers_cover_every_model() -> None:
    b2c = model("", base="name: b2c\ntiers: [{name: nurture}, {name: mql, min: 30}]\n"
                "mql_tier: mql\n")  # fmt: skip
    router = build_router([*ROUTES[:2], (_when(country="US"), b2c), ROUTES[2]])
    assert router.tier_names == ("low", "high", "nurture", "mql", "disqualified")
    assert router.mql_tiers == frozenset({"high", "mql"})


def test_an_account_split_across_segments_follows_its_majority() -> None:
    router = build_router(ROUTES)
    acc = {"id": "A1"}
    people = [
        contact("a", props={"country": "TR", "title": "müdür"}, account=acc),
        contact("b", props={"country": "DE", "title": "VP"}, account=acc),
        contact("c", props={"country": "CY", "title": "müdür"}, account=acc),
        # one each: the earlier route wins the tie
        contact("d", props={"lead_source": "dealer_form"}, account={"id": "A2"}),
        contact("e", props={"title": "VP"}, account={"id": "A2"}),
    ]
    scores = {a.key: a for a in routed_account_scores(router, score_routed(router, people, AS_OF))}
    assert scores["id:A1"].contacts == 2 and scores["id:A1"].score == 60
    assert set(scores["id:A1"].top_contact_ids) == {"a", "c"}
    assert scores["id:A2"].top_contact_ids == ("d",) and scores["id:A2"].score == 0


def test_unreachable_routes_are_found() -> None:
    whens = [
        _when(country=["TR", "GR", "CY"]),
        _when(country="tr"),  # subset of the first
        _when(country=["TR", "DE"]),  # not a subset
        _when(employees={"min": 10, "max": 100}),
        _when(employees={"min": 20, "max": 50}, country=["US"]),  # narrower than the 4th
        _when(email={"exists": True}),
        _when(email={"contains": "@"}),  # implies exists
        {},
        _when(country=["US"]),  # after the default
        {},
    ]
    assert shadowed_routes(whens) == [(1, 0), (4, 3), (6, 5), (8, 7), (9, 7)]


def test_the_model_part_round_trips_and_counts_in_the_comparison() -> None:
    items = [ReasonItem("title.exec", 20), ReasonItem("pricing", 15, 2)]
    text = format_reasons(items, model="emea@1a2b3c4d")
    assert text == "model: emea@1a2b3c4d; title.exec +20; pricing +15 (x2)"
    back = parse_reasons(text)
    assert back is not None and back.model == "emea@1a2b3c4d" and back.items == tuple(items)
    dq = format_reasons([ReasonItem("student", 0)], disqualified=True, model="emea@1a2b3c4d")
    assert dq == "model: emea@1a2b3c4d; disqualified: student"
    parsed = parse_reasons(dq)
    assert parsed is not None and parsed.disqualified and parsed.model == "emea@1a2b3c4d"
    long = format_reasons([ReasonItem(f"rule{i}", i + 1) for i in range(60)], model="m@1")
    assert len(long) <= 255 and long.startswith("model: m@1; rule0 +1")
    assert same_rules(text, text.replace("+20", "+21"))
    assert not same_rules(text, text.replace("emea@", "us@"))
    assert not same_rules(text, "title.exec +20; pricing +15 (x2)")
    assert parse_reasons("model: x; model: y; a +1") is None
    assert parse_reasons("model: x") is None
