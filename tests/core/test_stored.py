"""The stored form rebuilds exactly the contact ``contact_from_json`` builds:
every field, derived ones included, of the contact and of each activity."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.core import Activity, Contact, ContactError, contact_from_json
from syncd.core.stored import (
    account_from_json,
    activities_form,
    contact_form,
    contact_from_form,
    parse_activities,
)

scalars = st.one_of(
    st.text(max_size=12),
    st.integers(-5, 5000),
    st.booleans(),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.none(),
)
keys = st.sampled_from(["url", "form", "kind", "campaign", "title", "industry", "Land"])
times = st.sampled_from(
    [
        "2026-11-01T10:00:00Z",
        "2026-11-01T10:00:00Z",
        "2026-10-02",
        "2026-09-30T23:59:59.5+02:00",
        "2025-01-01T00:00:00Z",
    ]
)
activity = st.builds(
    lambda t, at, attrs: {"type": t, "at": at, **attrs},
    st.sampled_from(["page_view", "email_open", "form_submit"]),
    times,
    st.dictionaries(keys, scalars, max_size=3),
)
account = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"id": st.sampled_from(["a1", "a2"])},
        optional={
            "name": st.sampled_from(["ACME, Inc.", "Müller GmbH", "N/A", ""]),
            "domain": st.sampled_from(["acme.example", "https://www.Acme.example/x"]),
            "properties": st.dictionaries(keys, scalars, max_size=3),
        },
    ),
)
contact_obj = st.fixed_dictionaries(
    {"id": st.sampled_from(["c1", "0031"])},
    optional={
        "email": st.sampled_from(["Jo@Acme.example", "x@gmail.com", "broken"]),
        "company": st.sampled_from(["Acme", "Self-employed", ""]),
        "created_at": times,
        "properties": st.dictionaries(keys, scalars, max_size=4),
        "account": account,
        "activities": st.lists(activity, max_size=8),
    },
)


def _fields(obj: Any, cls: type) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in cls.__slots__}  # type: ignore[attr-defined]


def _same(a: Contact, b: Contact) -> None:
    assert _fields(a, Contact) == _fields(b, Contact)
    for x, y in zip(a.activities, b.activities, strict=True):
        assert _fields(x, Activity) == _fields(y, Activity)


@settings(max_examples=400, deadline=None)
@given(contact_obj)
def test_the_stored_form_rebuilds_the_contact_exactly(obj: dict[str, Any]) -> None:
    want = contact_from_json(obj)
    own = contact_from_json({k: v for k, v in obj.items() if k not in ("account", "activities")})
    acts = parse_activities(obj.get("activities", []))
    got = contact_from_form(
        want.id, contact_form(own), activities_form(acts), account_from_json(obj.get("account"))
    )
    _same(got, want)


def test_invalid_data_is_refused_with_its_place() -> None:
    with pytest.raises(ContactError, match=r"activities\[0\]\.at"):
        parse_activities([{"type": "page_view", "at": "yesterday"}])
    with pytest.raises(ContactError, match=r"account\.properties"):
        account_from_json({"id": "a", "properties": [1]})
    with pytest.raises(ContactError, match="stored form"):
        contact_from_form("c", "[1,2]", "[]", None)
