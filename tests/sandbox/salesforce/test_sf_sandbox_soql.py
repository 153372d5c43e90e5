"""Property tests of the SOQL parser: render → parse round trip, and only SoqlError on junk."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.sandbox.salesforce.soql import (
    And,
    Comparison,
    Expr,
    FieldRef,
    InList,
    Like,
    Not,
    Or,
    OrderItem,
    Query,
    SoqlError,
    Value,
    parse,
    quote,
    render,
)

names = st.sampled_from(["Email", "LastName", "Account.Name", "Who.Email", "Syncd_Score__c"])
fields = names.map(lambda n: FieldRef(tuple(n.split("."))))
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
values = st.one_of(
    text.map(lambda s: Value("string", s)),
    st.integers(-(10**9), 10**9).map(lambda n: Value("number", n)),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: Value("number", round(f, 3))),
    st.booleans().map(lambda b: Value("boolean", b)),
    st.just(Value("null", None)),
    st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 1, 1), timezones=st.just(dt.UTC)).map(
        lambda d: Value("datetime", d.replace(microsecond=0))
    ),
    st.dates(dt.date(2000, 1, 1), dt.date(2099, 1, 1)).map(lambda d: Value("date", d)),
)
leaves = st.one_of(
    st.builds(Comparison, fields, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), values),
    st.builds(InList, fields, st.lists(values, min_size=1, max_size=3).map(tuple), st.booleans()),
    st.builds(Like, fields, text.filter(lambda s: "\\" not in s)),
)


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    many = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(many.map(And), many.map(Or), children.map(Not))


expressions = st.recursive(leaves, _extend, max_leaves=8)
queries = st.builds(
    Query,
    st.lists(fields, min_size=1, max_size=3).map(tuple),
    st.sampled_from(["Lead", "Contact"]),
    st.just(False),
    st.one_of(st.none(), expressions),
    st.lists(
        st.builds(OrderItem, fields, st.booleans(), st.sampled_from([None, True, False])),
        max_size=2,
    ).map(tuple),
    st.one_of(st.none(), st.integers(0, 50000)),
    st.one_of(st.none(), st.integers(0, 2000)),
)


@settings(max_examples=300, deadline=None)
@given(queries)
def test_render_then_parse_round_trips(query: Query) -> None:
    parsed = parse(render(query))
    assert parsed == query


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_parser_raises_only_soql_error_on_junk(junk: str) -> None:
    for soql in (junk, f"SELECT Id FROM Lead WHERE {junk}", f"SELECT {junk} FROM Lead"):
        try:
            parse(soql)
        except SoqlError as exc:
            assert exc.code == "MALFORMED_QUERY"
            assert "ERROR at Row:1:Column:" in exc.message


@given(text)
def test_quote_round_trips_any_string(value: str) -> None:
    parsed = parse(f"SELECT Id FROM Lead WHERE Email = {quote(value)}")
    assert isinstance(parsed.where, Comparison)
    expected = value.replace("\\%", "%").replace("\\_", "_")
    got = str(parsed.where.value.value).replace("\\%", "%").replace("\\_", "_")
    assert got == expected
