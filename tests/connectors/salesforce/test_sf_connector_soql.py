"""Safe SOQL: no config or record value can change the shape of a query."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connectors.base import FatalError
from connectors.salesforce import soql
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.connector import build
from syncd.sandbox.salesforce import soql as fake_soql
from syncd.sandbox.salesforce.soql_ast import And, Comparison, InList, Value

NASTY = st.one_of(
    st.text(),
    st.sampled_from(
        [
            "' OR Id != '",
            "x\\' OR Name LIKE '%",
            "\\",
            "a'b",
            "line\nbreak\r\t",
            "' AND (SELECT Id FROM User) != null AND Email = '",
            "SELECT",
            "x' LIMIT 1 --",
        ]
    ),
).filter(lambda s: "\x00" not in s)


@settings(max_examples=300, deadline=None)
@given(value=NASTY)
def test_string_values_stay_one_literal(value: str) -> None:
    text = soql.select("Lead", ["Id", "Email"], soql.eq("Email", value), order_by=["Id"])
    parsed = fake_soql.parse(text)  # the fake's real SOQL grammar
    assert parsed.sobject == "Lead"
    assert [str(f) for f in parsed.fields] == ["Id", "Email"]
    assert parsed.where == Comparison(fake_soql.FieldRef(("Email",)), "=", Value("string", value))
    assert parsed.limit is None and parsed.offset is None


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(NASTY, min_size=1, max_size=4),
    number=st.integers() | st.floats(allow_nan=False, allow_infinity=False),
)
def test_conjunctions_of_values_keep_their_shape(values: list[str], number: float) -> None:
    where = soql.and_(
        *(soql.eq("Company", v) for v in values), soql.ge("NumberOfEmployees", number)
    )
    parsed = fake_soql.parse(soql.select("Lead", ["Id"], where))
    assert isinstance(parsed.where, And)
    items = parsed.where.items
    compared = [i for i in items if isinstance(i, Comparison)]
    assert len(compared) == len(items)
    assert [c.value.value for c in compared[:-1]] == values
    last = compared[-1].value.value
    assert isinstance(last, int | float)
    assert float(last) == float(number)


@given(name=st.text(min_size=1, max_size=30))
@example(name="COUNT")
@example(name="count")
@example(name="Sum")
@example(name="COUNT_DISTINCT")
@example(name="CALENDAR_YEAR")
@example(name="Group")
def test_identifiers_are_names_or_refused(name: str) -> None:
    try:
        checked = soql.identifier(name)
    except soql.SoqlError:
        return
    assert checked == name
    parsed = fake_soql.parse(f"SELECT {checked} FROM Lead")
    assert [str(f) for f in parsed.fields] == [name]


@pytest.mark.parametrize(
    "bad",
    [
        "Email, Id",
        "Id FROM User --",
        "Name'",
        "Syncd Score__c",
        "WHERE",
        "Who.",
        "a.b.c.d.e.f",
        "",
        "COUNT",
        "count",
        "Account.Max",
        "avg",
        "toLabel",
        "With",
    ],
)
def test_bad_field_names_are_refused(bad: str) -> None:
    with pytest.raises(soql.SoqlError):
        soql.field(bad)


def test_ids_and_literals() -> None:
    assert soql.literal(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)) == "2026-11-20T10:00:00Z"
    assert soql.literal(True) == "true" and soql.literal(None) == "null"
    with pytest.raises(soql.SoqlError):
        soql.literal(dt.datetime(2026, 11, 20))  # naive
    with pytest.raises(soql.SoqlError):
        soql.id_in("Id", ["00Q8d0000000001AAA", "x' OR '1'='1"])
    where = soql.id_in("Id", ["00Q8d0000000001AAA", "00Q8d0000000002"])
    parsed = fake_soql.parse(soql.select("Lead", ["Id"], where))
    assert isinstance(parsed.where, InList) and len(parsed.where.values) == 2


def test_chunks_fit_the_uri_budget() -> None:
    ids = [f"00Q8d{n:010d}AAA" for n in range(5000)]
    chunks = list(soql.chunk_ids(ids, budget=12_000))
    assert sum(len(c) for c in chunks) == 5000 and len(chunks) > 1
    from urllib.parse import urlencode

    for chunk in chunks:
        query = soql.select("Lead", ["Id"], soql.id_in("Id", chunk))
        assert (
            len(urlencode({"q": query}))
            - len(urlencode({"q": "SELECT Id FROM Lead WHERE Id IN ()"}))
            <= 12_000
        )


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"fields": {"score": "Score__c FROM Lead --"}}, "fields.score"),
        ({"field_map": {"title": "Title, (SELECT Id FROM Users)"}}, "field_map.title"),
        (
            {
                "extra_activities": [
                    {"object": "Demo__c WHERE", "type": "demo_request", "who_field": "Lead__c"}
                ]
            },
            "extra_activities[0].object",
        ),
        (
            {
                "extra_activities": [
                    {
                        "object": "Demo__c",
                        "type": "x",
                        "who_field": "Lead__c",
                        "where": {"A' OR '1": "b"},
                    }
                ]
            },
            "extra_activities[0].where",
        ),
    ],
)
def test_injection_through_config_is_rejected_before_any_call(
    override: dict[str, object], key: str
) -> None:
    raw: dict[str, object] = {
        "instance_url": "https://acme.my.salesforce.com",
        "auth": {"flow": "client_credentials", "consumer_key": "k", "consumer_secret": "s"},
        **override,
    }
    options = SalesforceOptions.model_validate(raw)
    with pytest.raises(FatalError) as info:
        build("sf", options)
    assert str(info.value).startswith(f"option {key}:")


def test_config_values_are_quoted_not_pasted() -> None:
    value = "Demo' OR Type != 'x"
    where = soql.eq("Type", value)
    parsed = fake_soql.parse(soql.select("Event", ["Id"], where))
    assert parsed.where == Comparison(fake_soql.FieldRef(("Type",)), "=", Value("string", value))
