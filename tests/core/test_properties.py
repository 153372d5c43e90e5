"""Hypothesis properties of the scoring core (the shipped models)."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.core import Account, Activity, Contact, score_batch
from syncd.core.types import Scalar
from syncd.modelfile import load_model
from tests.kit.scoring import AS_OF

MODELS_DIR = Path(__file__).resolve().parents[2] / "syncd/models"
MODEL = load_model(MODELS_DIR / "default.yaml")
NOW = AS_OF.timestamp()

TYPES = [
    "page_view",
    "email_open",
    "email_click",
    "content_download",
    "webinar_attended",
    "unsubscribe",
    "support_ticket",
    "chat",
    "form_submit",
    "trial_signup",
    "demo_request",
    "product_usage",
]
URLS = ["/pricing", "/demo", "/careers", "/blog", "/directions"]
#: Per shipped model: activities that only ever match positive-points rules.
POSITIVE: dict[str, list[tuple[str, dict[str, Scalar]]]] = {
    "default.yaml": [
        ("page_view", {"url": "/pricing"}),
        ("email_open", {}),
        ("webinar_attended", {}),
        ("email_click", {"url": "/demo"}),
        ("content_download", {"kind": "case_study"}),
    ],
    "b2c-auto-dealer.yaml": [
        ("form_submit", {"form": "Vehicle interest"}),
        ("email_open", {}),
        ("email_click", {}),
        ("page_view", {"url": "/directions"}),
    ],
    "saas.yaml": [
        ("trial_signup", {}),
        ("demo_request", {}),
        ("product_usage", {"metric": "logins", "value": 9}),
        ("product_usage", {"metric": "active_users", "value": 4}),
    ],
}

activities = st.builds(
    lambda t, age, url, kind, cat, form, metric, value: Activity(
        t,
        NOW - age * 86400,
        {"url": url, "kind": kind, "category": cat, "form": form, "metric": metric, "value": value},
    ),
    st.sampled_from(TYPES),
    st.floats(-5, 400),
    st.sampled_from(URLS),
    st.sampled_from(["case_study", "ebook"]),
    st.sampled_from(["sales", "billing"]),
    st.sampled_from(["Vehicle interest", "Contact us"]),
    st.sampled_from(["logins", "active_users"]),
    st.integers(0, 12),
)

props = st.fixed_dictionaries(
    {},
    optional={
        "title": st.sampled_from(["CEO", "Director", "Müdür", "Engineer", "Project Manager"]),
        "industry": st.sampled_from(["Technology", "Retail"]),
        "department": st.sampled_from(["IT", "Finance"]),
        "employees": st.sampled_from([10, 120, "1,200", 700]),
        "country": st.sampled_from(["US", "DE"]),
        "occupation": st.sampled_from(["Student", "Engineer"]),
    },
)

contacts = st.builds(
    lambda p, acts, created, dom: Contact(
        id="c",
        email=f"x@{dom}",
        properties=p,
        activities=tuple(acts),
        created_ts=None if created is None else NOW - created * 86400,
    ),
    props,
    st.lists(activities, max_size=12),
    st.none() | st.floats(-5, 500),
    st.sampled_from(["acme.io", "gmail.com", "rivalscore.io"]),
)


SHIPPED = {name: load_model(MODELS_DIR / name) for name in POSITIVE}


def test_every_shipped_model_has_positive_activities() -> None:
    assert sorted(p.name for p in MODELS_DIR.glob("*.yaml")) == sorted(POSITIVE)


def score(c: Contact) -> float:
    return score_batch(MODEL, [c], AS_OF)[0].exact


def with_acts(c: Contact, acts: tuple[Activity, ...]) -> Contact:
    return dataclasses.replace(c, activities=acts)


@pytest.mark.parametrize("name", sorted(POSITIVE))
@settings(max_examples=150, deadline=None)
@given(contacts, st.data(), st.floats(-5, 400))
def test_adding_positive_activity_never_lowers_score(
    name: str, c: Contact, data: st.DataObject, age: float
) -> None:
    """Over contacts with a creation date (every CRM record has one): without
    it, an old activity is all that is known, and it rightly shows inactivity."""
    if c.created_ts is None:
        c = dataclasses.replace(c, created_ts=NOW - data.draw(st.floats(-5, 500)) * 86400)
    m = SHIPPED[name]
    t, attrs = data.draw(st.sampled_from(POSITIVE[name]))
    more = with_acts(c, (*c.activities, Activity(t, NOW - age * 86400, attrs)))
    before, after = score_batch(m, [c], AS_OF)[0], score_batch(m, [more], AS_OF)[0]
    assert after.exact >= before.exact - 1e-9


@settings(max_examples=150, deadline=None)
@given(contacts)
def test_disqualified_means_zero(c: Contact) -> None:
    r = score_batch(MODEL, [c], AS_OF)[0]
    if r.disqualified:
        assert (r.score, r.exact, r.tier, r.mql) == (0, 0.0, "disqualified", False)
    else:
        assert r.tier != "disqualified"


@settings(max_examples=100, deadline=None)
@given(contacts, st.randoms(use_true_random=False))
def test_activity_order_does_not_matter(c: Contact, rnd: random.Random) -> None:
    acts = list(c.activities)
    rnd.shuffle(acts)
    a = score_batch(MODEL, [c], AS_OF)[0]
    b = score_batch(MODEL, [with_acts(c, tuple(acts))], AS_OF)[0]
    assert a == b


@settings(max_examples=100, deadline=None)
@given(contacts)
def test_account_boost_never_lowers_score(c: Contact) -> None:
    boosted = dataclasses.replace(
        c, account=Account(id="001TARGET0001", properties={"priority": True})
    )
    assert score(boosted) >= score(c) - 1e-9


@settings(max_examples=50, deadline=None)
@given(st.lists(contacts, max_size=6))
def test_deterministic_for_fixed_as_of(cs: list[Contact]) -> None:
    assert score_batch(MODEL, cs, AS_OF) == score_batch(MODEL, cs, AS_OF)
