"""Tests for the deterministic sandbox data generator."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest

from syncd.sandbox import vocab
from syncd.sandbox.generator import (
    ACTIVITY_TYPES,
    FREE_MAIL_DOMAINS,
    LIFECYCLE_STAGES,
    SENIORITY,
    Dataset,
    generate,
)

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
RIVAL_DOMAINS = {domain for _, domain in vocab.COMPETITORS}


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return generate(7, 2_000, NOW)


@pytest.fixture(scope="module")
def ds5k() -> Dataset:
    return generate(11, 5_000, NOW)


def _digest(data: Dataset) -> str:
    text = repr((data.companies, data.contacts, [(a, dict(a.attrs)) for a in data.activities]))
    return hashlib.sha256(text.encode()).hexdigest()


def test_same_inputs_give_equal_datasets_and_other_seeds_differ() -> None:
    a, b = generate(3, 300, NOW), generate(3, 300, NOW)
    assert a == b
    assert _digest(a) == _digest(b)
    assert generate(4, 300, NOW) != a
    assert generate(3, 300, NOW, companies=50) != a
    assert generate(3, 300, NOW + timedelta(days=1)) != a


def test_deterministic_across_interpreters_with_other_hash_seeds() -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from tests.sandbox.test_generator "
        "import NOW, _digest; from syncd.sandbox.generator import generate; "
        "print(_digest(generate(3, 300, NOW)))"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, root],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=root,
    ).stdout.strip()
    assert out == _digest(generate(3, 300, NOW))


def test_now_must_be_aware_and_is_normalised_to_utc() -> None:
    with pytest.raises(ValueError):
        generate(1, 10, datetime(2026, 11, 23))
    with pytest.raises(ValueError):
        generate(1, -1, NOW)
    local = NOW.astimezone(timezone(timedelta(hours=3)))
    data = generate(1, 50, local)
    assert data.now == NOW and data.now.utcoffset() == timedelta(0)
    assert data == generate(1, 50, NOW)


def test_small_and_degenerate_sizes() -> None:
    empty = generate(1, 0, NOW)
    assert empty.contacts == () and empty.activities == ()
    alone = generate(1, 40, NOW, companies=0)
    assert alone.companies == ()
    assert all(c.company_key is None for c in alone.contacts)
    few = generate(2, 200, NOW, companies=5)
    assert len(few.companies) == 5
    assert {c.company_key for c in few.contacts} - {None} <= {c.key for c in few.companies}


def test_records_are_frozen(ds: Dataset) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.contacts[0].email = "x@y.z"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.seed = 2  # type: ignore[misc]


def test_keys_emails_and_domains_are_unique(ds: Dataset) -> None:
    for keys in (
        [c.key for c in ds.companies],
        [c.key for c in ds.contacts],
        [a.key for a in ds.activities],
        [c.email for c in ds.contacts],
        [c.domain for c in ds.companies],
    ):
        assert len(keys) == len(set(keys))
    assert ds.contacts[42].key == "p000042" and ds.companies[5].key == "c000005"
    for contact in ds.contacts:
        local, _, domain = contact.email.partition("@")
        assert local and "." in domain and contact.email.isascii() and contact.email.islower()


def test_referential_integrity(ds: Dataset) -> None:
    contact_keys = {c.key for c in ds.contacts}
    assert all(a.contact_key in contact_keys for a in ds.activities)
    for contact in ds.contacts:
        assert contact.company_name
        if contact.company_key is not None:
            company = ds.company(contact.company_key)
            assert contact.company_name == company.name
            if contact.email.split("@")[1] not in FREE_MAIL_DOMAINS:
                assert contact.email.endswith("@" + company.domain)
    with pytest.raises(KeyError):
        ds.company("nope")
    grouped = Counter(a.contact_key for a in ds.activities)
    for contact in ds.contacts[:300]:
        acts = ds.activities_of(contact.key)
        assert len(acts) == grouped[contact.key]
        assert [a.at for a in acts] == sorted(a.at for a in acts)
    assert ds.activities_of("unknown") == ()


def test_timestamps_are_utc_and_never_after_now(ds: Dataset) -> None:
    created = {c.key: c.created_at for c in ds.contacts}
    for act in ds.activities:
        assert act.at.utcoffset() == timedelta(0)
        assert created[act.contact_key] < act.at <= NOW
        assert act.at >= NOW - timedelta(days=366)
    stamps = [(r.created_at, r.modified_at) for r in ds.contacts]
    stamps += [(r.created_at, r.modified_at) for r in ds.companies]
    for created_at, modified_at in stamps:
        assert created_at <= modified_at <= NOW
        assert created_at.tzinfo is not None
    for contact in ds.contacts:
        if contact.company_key:
            assert ds.company(contact.company_key).created_at <= contact.created_at
    newest = max(a.at for a in ds.activities)
    assert NOW - newest < timedelta(days=2)


def test_every_activity_type_and_its_attributes(ds: Dataset) -> None:
    seen = Counter(a.type for a in ds.activities)
    assert set(seen) == set(ACTIVITY_TYPES)
    assert 6 <= len(ds.activities) / len(ds.contacts) <= 10
    kinds = set()
    for act in ds.activities:
        attrs = act.attrs
        if act.type in ("page_view", "email_click"):
            assert attrs["url"].startswith(vocab.SITE + "/")
        if act.type.startswith("email_") or act.type == "unsubscribe":
            assert attrs["campaign"]
        if act.type == "form_submit":
            assert attrs["form"]
        if act.type == "content_download":
            kinds.add(attrs["kind"])
            assert attrs["asset"]
        if act.type == "support_ticket":
            assert attrs["category"] in {
                "sales",
                "billing",
                "technical",
                "onboarding",
                "feature_request",
                "bug",
            }
        if act.type == "product_usage":
            assert attrs["metric"] and int(attrs["value"]) > 0
        if act.type in ("meeting", "call"):
            assert attrs["subject"]
    assert kinds == {"case_study", "whitepaper", "ebook"}
    urls = {a.attrs["url"].split("?")[0] for a in ds.activities if a.type == "page_view"}
    for path in ("/pricing", "/demo", "/careers", "/directions"):
        assert vocab.SITE + path in urls
    assert any(u.startswith(vocab.SITE + "/blog/") for u in urls)
    campaigns = Counter(a.attrs["campaign"] for a in ds.activities if a.type == "email_open")
    assert campaigns.most_common(1)[0][1] > 20  # campaigns are shared across contacts
    assert any(name.endswith("webinar") for name in campaigns)


def test_histories_have_bursts_dormancy_and_empty_ones(ds: Dataset) -> None:
    empty = sum(1 for c in ds.contacts if not ds.activities_of(c.key))
    assert 0.03 * len(ds.contacts) < empty < 0.2 * len(ds.contacts)
    dormant = bursts = 0
    for contact in ds.contacts:
        acts = ds.activities_of(contact.key)
        if acts and NOW - acts[-1].at > timedelta(days=120):
            dormant += 1
        if any(b.at - a.at < timedelta(hours=2) for a, b in pairwise(acts)):
            bursts += 1
    assert dormant > 50 and bursts > len(ds.contacts) // 2


def test_languages_titles_and_names(ds: Dataset) -> None:
    titles = {c.title for c in ds.contacts}
    assert any(any("\u0370" <= ch <= "\u03ff" for ch in t) for t in titles)  # Greek
    turkish = set(vocab.TITLES_TEXT["tr"].replace("|", ":").split(":"))
    assert titles & turkish and any(not t.isascii() for t in titles & turkish)
    for lang, text in vocab.TITLES_TEXT.items():  # every language's titles are in use
        forms = {f for entry in text.split("|") for f in entry.split(":")[0].split("~")}
        assert len(titles & forms) >= 3, lang
    for title in ("CTO", "Software Engineer", "Student", "Satış Müdürü", "Διευθυντής Πωλήσεων"):
        assert title in titles, title
    assert sum(not (c.first_name + c.last_name).isascii() for c in ds.contacts) > 200
    countries = Counter(c.country for c in ds.contacts)
    assert {"US", "GB", "CA", "DE", "FR", "ES", "TR", "GR", "NL"} <= set(countries)
    for contact in ds.contacts:
        if contact.title in turkish:
            assert contact.country == "TR"
        if any("\u0370" <= ch <= "\u03ff" for ch in contact.title):
            assert contact.country == "GR"


def test_companies_are_plausible(ds: Dataset) -> None:
    industries = Counter(c.industry for c in ds.companies)
    assert {
        "Technology",
        "Financial Services",
        "Healthcare",
        "Manufacturing",
        "Retail",
        "Government",
    } <= set(industries)
    sizes = sorted(c.employees for c in ds.companies)
    assert sizes[0] >= 5 and sizes[-1] <= 50_000
    assert sizes[len(sizes) // 2] < 100 < sizes[-1]  # many small, a few large
    assert all(c.city and len(c.country) == 2 for c in ds.companies)
    assert 3 <= sum(c.is_target for c in ds.companies) <= 0.03 * len(ds.companies) + 3
    rivals = [c for c in ds.companies if c.domain in RIVAL_DOMAINS]
    assert len(rivals) == len(RIVAL_DOMAINS) and all(c.industry == "Technology" for c in rivals)


def test_special_contacts_are_present(ds: Dataset) -> None:
    n = len(ds.contacts)
    students = [c for c in ds.contacts if c.occupation == "Student"]
    assert 0.01 * n < len(students) < 0.06 * n
    assert all(c.title == "Student" and not c.converted for c in students)
    assert sum(c.email.split("@")[1] in FREE_MAIL_DOMAINS for c in students) > len(students) // 2
    rivals = [c for c in ds.contacts if c.email.split("@")[1] in RIVAL_DOMAINS]
    assert rivals and len(rivals) < 0.03 * n and not any(c.converted for c in rivals)
    free = [c for c in ds.contacts if c.email.split("@")[1] in FREE_MAIL_DOMAINS]
    assert 0.1 * n < len(free) < 0.22 * n
    assert 0.1 * n < sum(c.company_key is None for c in ds.contacts) < 0.2 * n
    assert all(c.is_lead for c in ds.contacts if c.company_key is None and not c.converted)
    per_company = Counter(c.company_key for c in ds.contacts if c.company_key)
    sizes = Counter(per_company.values())
    assert sizes[1] + sizes[2] > len(per_company) / 2
    assert sum(v for k, v in sizes.items() if k >= 5) > 10
    targets = {c.key for c in ds.companies if c.is_target}
    assert any(per_company[k] >= 2 for k in targets)


def test_labels_stages_and_conversion_correlate_with_fit(ds5k: Dataset) -> None:
    contacts = ds5k.contacts
    rate = sum(c.converted for c in contacts) / len(contacts)
    assert 0.05 <= rate <= 0.15
    for c in contacts:
        assert c.lifecycle_stage in LIFECYCLE_STAGES
        assert (c.lifecycle_stage == "customer") == c.converted
        assert not (c.converted and c.is_lead)
    open_ = [c for c in contacts if not c.converted]
    assert sum(c.is_lead for c in open_) > 0.7 * len(open_)

    def conv_rate(selected: list[bool]) -> float:
        return sum(selected) / len(selected)

    execs = [c.converted for c in contacts if SENIORITY.get(c.title) == "X"]
    others = [c.converted for c in contacts if SENIORITY.get(c.title) != "X"]
    assert conv_rate(execs) > 1.5 * conv_rate(others)
    engaged: list[bool] = []
    idle: list[bool] = []
    for c in contacts:
        urls = [a.attrs.get("url", "") for a in ds5k.activities_of(c.key)]
        (engaged if any("/pricing" in u or "/demo" in u for u in urls) else idle).append(
            c.converted
        )
    assert conv_rate(engaged) > 1.5 * conv_rate(idle)


@pytest.mark.slow
def test_scale_100k_counts() -> None:
    data = generate(1, 100_000, NOW)
    assert len(data.contacts) == 100_000
    assert 25_000 <= len(data.companies) <= 35_000
    assert 600_000 <= len(data.activities) <= 1_000_000
    assert len({c.email for c in data.contacts}) == 100_000
    assert len({c.domain for c in data.companies}) == len(data.companies)
    assert max(a.at for a in data.activities) <= NOW
