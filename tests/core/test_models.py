"""Golden tests for the shipped models (docs/scoring.md) and the example leads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from syncd.core import (
    CompiledModel,
    Contact,
    ScoreResult,
    contact_from_json,
    result_to_json,
    score_batch,
)
from syncd.modelfile import load_model
from tests.kit.scoring import AS_OF, act, contact

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "syncd" / "models"


def load(name: str) -> CompiledModel:
    return load_model(MODELS / f"{name}.yaml")


def score1(m: CompiledModel, c: Contact) -> ScoreResult:
    return score_batch(m, [c], AS_OF)[0]


@pytest.mark.parametrize("path", sorted(MODELS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_models_validate(path: Path) -> None:
    assert load_model(path).spec.warnings == ()


def test_shipped_model_set() -> None:
    assert {p.stem for p in MODELS.glob("*.yaml")} >= {"default", "b2c-auto-dealer", "saas"}


# ---- B2C auto dealer ---------------------------------------------------------


def test_b2c_lead_crosses_mql_with_directions_visit() -> None:
    m = load("b2c-auto-dealer")
    assert [t.name for t in m.spec.tiers] == ["nurture", "mql"]
    steps = [act("form_submit", form="Vehicle interest - SUV")]
    r = score1(m, contact(activities=steps))
    assert (r.score, r.tier) == (10, "nurture")
    steps += [act("email_open"), act("email_click", url="https://dealer/offer")]
    r = score1(m, contact(activities=steps))
    assert (r.score, r.tier, r.mql) == (20, "nurture", False)
    steps += [act("page_view", url="https://dealer/directions")]
    r = score1(m, contact(activities=steps))
    assert (r.score, r.tier, r.mql) == (40, "mql", True)
    assert r.reasons[0].rule == "directions_page"


def test_b2c_negatives_and_student() -> None:
    m = load("b2c-auto-dealer")
    r = score1(
        m,
        contact(
            activities=[act("email_click"), act("unsubscribe"), act("page_view", url="/careers")]
        ),
    )
    assert r.score == 7 - 10 - 5
    assert score1(m, contact(props={"occupation": "student"})).tier == "disqualified"


# ---- Default B2B -------------------------------------------------------------

FIT_CASES = [
    ({"title": "CEO"}, 20),
    ({"title": "VP Engineering"}, 20),
    ({"title": "Director"}, 10),
    ({"title": "Marketing Manager"}, 10),
    ({"title": "Genel Müdür"}, 20),
    ({"title": "SATIŞ MÜDÜRÜ"}, 10),
    ({"title": "Direktör"}, 10),
    ({"title": "Διευθύνων Σύμβουλος"}, 20),
    ({"title": "Διευθυντής Πωλήσεων"}, 10),
    ({"title": "Αντιπρόεδρος"}, 20),
    ({"title": "Geschäftsführer"}, 20),
    ({"title": "Vorstand"}, 20),
    ({"title": "Vertriebsleiter"}, 10),
    ({"title": "Direktor"}, 10),
    ({"title": "PDG"}, 20),
    ({"title": "Directeur général"}, 20),
    ({"title": "Directeur"}, 10),
    ({"title": "Responsable marketing"}, 10),
    ({"title": "Director General"}, 20),
    ({"title": "Gerente"}, 10),
    ({"title": "Vicepresidente"}, 20),
    ({"title": "Jefe de ventas"}, 10),
    ({"title": "Software Engineer"}, 0),
    ({"title": "MVP Specialist"}, 0),
    ({"title": "Doctor"}, 0),
    ({"industry": "technology"}, 15),
    ({"employees": 50}, 10),
    ({"employees": "500"}, 10),
    ({"employees": "1,200"}, 0),
    ({"country": "US"}, 5),
    ({"country": "uk"}, 5),
    ({"country": "CA"}, 5),
    ({"country": "DE"}, 0),
    ({"title": "CEO", "industry": "Technology", "employees": 120, "country": "US"}, 50),
]


@pytest.mark.parametrize(("props", "points"), FIT_CASES)
def test_default_fit(props: dict[str, Any], points: int) -> None:
    assert score1(load("default"), contact(props=props)).score == points


BEHAVIOUR = [
    (act("page_view", url="https://v/pricing"), 15),
    (act("content_download", kind="case_study"), 10),
    (act("content_download", kind="whitepaper"), 0),
    (act("webinar_attended"), 20),
    (act("email_click", url="https://v/demo"), 25),
    (act("page_view", url="https://v/demo"), 25),
    (act("email_open"), 5),
    (act("unsubscribe"), -10),
    (act("page_view", url="https://v/careers"), -5),
    (act("support_ticket", category="billing"), -3),
    (act("support_ticket", category="sales"), 0),
]


@pytest.mark.parametrize(("activity", "points"), BEHAVIOUR)
def test_default_behaviour_same_day(activity: dict[str, Any], points: int) -> None:
    assert score1(load("default"), contact(activities=[activity])).score == points


def test_default_tiers_and_student() -> None:
    m = load("default")
    assert [(t.name, t.min) for t in m.spec.tiers] == [
        ("unqualified", None),
        ("nurture", 25),
        ("mql", 50),
        ("hot", 75),
    ]
    r = score1(
        m,
        contact(
            props={"title": "CEO", "industry": "Technology", "employees": 120, "country": "US"},
            activities=[act("page_view", url="/pricing")],
        ),
    )
    assert (r.score, r.tier, r.mql) == (65, "mql", True)
    assert result_to_json(r)["reasons"][:2] == [
        {"rule": "title.exec", "points": 20},
        {"rule": "industry.technology", "points": 15},
    ]
    r = score1(m, contact(props={"title": "CEO", "occupation": "Student"}))
    assert (r.score, r.tier) == (0, "disqualified")


def test_old_history_never_makes_a_new_lead_inactive() -> None:
    m = load("default")
    ceo = {"title": "CEO"}
    bare = score1(m, contact(props=ceo, created_at="2026-11-01T00:00:00Z"))
    old_visit = score1(
        m,
        contact(
            props=ceo,
            created_at="2026-11-01T00:00:00Z",
            activities=[
                {"type": "page_view", "at": "2026-05-07T00:00:00Z", "url": "https://v.io/pricing"}
            ],
        ),
    )
    assert bare.score == 20
    assert old_visit.exact > bare.exact
    assert "inactivity.90d" not in {x.rule for x in old_visit.reasons}


def test_default_decay_is_90_day_half_life() -> None:
    r = score1(load("default"), contact(activities=[act("webinar_attended", 90)]))
    assert r.engagement == pytest.approx(10)


# ---- SaaS ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("props", "points"),
    [
        ({"title": "CTO"}, 15),
        ({"title": "Senior Project Manager"}, 10),
        ({"title": "Sales Manager"}, 10),
        ({"title": "Executive Assistant"}, 0),
        ({"title": "Assistant Manager"}, 10),
        ({"department": "IT"}, 15),
        ({"department": "Finance"}, 10),
        ({"department": "marketing"}, 0),
        ({"employees": 5000}, 5),
        ({"employees": 1000}, 5),
        ({"employees": 999}, 15),
        ({"employees": 500}, 15),
        ({"employees": 499}, 10),
        ({"employees": "100"}, 10),
        ({"employees": 99}, 5),
        ({"employees": 50}, 5),
        ({"employees": 49}, 0),
        ({"employees": 1}, 0),
        ({"title": "CEO", "department": "IT", "employees": 700}, 45),
    ],
)
def test_saas_exclusive_groups(props: dict[str, Any], points: int) -> None:
    assert score1(load("saas"), contact(props=props)).score == points


def test_saas_groups_explain_the_winner_only() -> None:
    r = score1(load("saas"), contact(props={"title": "Project Manager"}))
    assert [x.rule for x in r.reasons] == ["role.project_manager"]
    r = score1(load("saas"), contact(props={"title": "Assistant"}))
    assert [(x.rule, x.points) for x in r.reasons] == [("role.assistant", 0)]


def test_saas_engagement() -> None:
    m = load("saas")
    acts = [
        act("trial_signup"),
        act("demo_request"),
        act("product_usage", metric="logins", value=12),
        act("product_usage", metric="logins", value=2),
        act("product_usage", metric="active_users", value="4"),
    ]
    pts = {x.rule: x.points for x in score1(m, contact(activities=acts)).reasons}
    assert pts == {
        "trial_signup": 25,
        "demo_request": 30,
        "usage.logins": 2,
        "usage.active_users": 10,
    }


# ---- Example leads -----------------------------------------------------------


def test_example_leads_fire_every_rule_type() -> None:
    m = load("default")
    lines = (ROOT / "config" / "examples" / "leads.jsonl").read_text(encoding="utf-8").splitlines()
    contacts = [contact_from_json(json.loads(line)) for line in lines if line.strip()]
    assert 25 <= len(contacts) <= 40
    results = score_batch(m, contacts, AS_OF)
    fired = {x.rule for r in results for x in r.reasons}
    spec = m.spec
    expected = {r.id for r in spec.rules} | {d.id for d in spec.disqualifiers}
    assert spec.inactivity and spec.velocity and spec.account.multi_stakeholder
    assert spec.account.priority
    expected |= {
        spec.inactivity.id,
        spec.velocity.id,
        spec.account.multi_stakeholder.id,
        spec.account.priority.id,
    }
    assert expected - fired == set()
    assert {r.tier for r in results} == {"unqualified", "nurture", "mql", "hot", "disqualified"}
    assert any(r.priority for r in results)
    # caps fired somewhere (count > max_count never reported)
    by_rule = {x.rule: x for r in results for x in r.reasons}
    assert by_rule["pricing_page"].count <= 3
