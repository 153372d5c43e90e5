"""Rows built from the core's ``Contact`` directly (``row_from_contact``, what
the daemon scores) equal the rows the JSON route made of the same contacts:
the contact as canonical JSON, read by ``row_from_json`` (the route the daemon
took before, and the one ``syncd learn --connector`` takes from the store's
export). Equal field by field, and equal raw values (``raw_table``:
activity summaries, account signals and the points model's components), for
contacts Hypothesis draws: missing-value tokens, mixed scalar types, account
keys from id / domain / name, activities of every kind with URL / form /
asset / kind targets (some empty or falsy), times at whole milliseconds (as
CRMs give them), some after ``now``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.core import Account, Activity, Contact
from syncd.modelfile import load_model
from syncd.predictive.contact_rows import row_from_contact
from syncd.predictive.io import Row, row_from_json
from syncd.predictive.table import raw_table
from tests.kit.seed import MODEL

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC).timestamp()
POINTS = load_model(MODEL)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def contact_json(c: Contact) -> dict[str, Any]:
    """The JSON route's first half, as the daemon had it: ``c`` as canonical JSON."""
    obj: dict[str, Any] = {"id": c.id, "properties": dict(c.properties)}
    if c.email is not None:
        obj["email"] = c.email
    if c.company is not None:
        obj["company"] = c.company
    if c.created_ts is not None:
        obj["created_at"] = _iso(c.created_ts)
    if c.account is not None:
        a = c.account
        acc: dict[str, Any] = {"properties": dict(a.properties)}
        for key, value in (("id", a.id), ("name", a.name), ("domain", a.domain)):
            if value is not None:
                acc[key] = value
        obj["account"] = acc
    obj["activities"] = [
        {**act.attrs, "type": act.type, "at": _iso(act.ts)} for act in reversed(c.activities)
    ]
    return obj


def json_rows(contacts: list[Contact]) -> list[Row]:
    return [row_from_json(contact_json(c), "test", i) for i, c in enumerate(contacts, 1)]


def direct_rows(contacts: list[Contact]) -> list[Row]:
    return [row_from_contact(c, i) for i, c in enumerate(contacts, 1)]


_text = st.text(alphabet="abcXYZ é/.-_ ", max_size=12)
_values = st.one_of(
    _text,
    st.sampled_from(["", "N/A", " none ", "NaN", "null", "CEO", "VP Sales", "Software", "12"]),
    st.integers(-10_000, 10_000),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.booleans(),
)
_keys = st.sampled_from(["title", "industry", "employees", "country", "lifecyclestage", "x y"])
_props = st.dictionaries(_keys, _values, max_size=5)
# whole milliseconds, from a year before NOW to a day after it
_ms = st.integers(int(NOW * 1000) - 365 * 86_400_000, int(NOW * 1000) + 86_400_000)
_ts = _ms.map(lambda ms: ms / 1000)
_target = st.one_of(
    st.sampled_from(["https://v.io/pricing", "https://v.io/blog/x", "/demo", "Contact us"]),
    _text,
    st.just(0),
    st.just(False),
)
_attrs = st.dictionaries(
    st.sampled_from(["url", "form", "asset", "kind", "campaign"]), _target, max_size=3
)
_activity = st.builds(
    Activity,
    type=st.sampled_from(
        ["page_view", "email_open", "email_click", "form_submit", "content_download", "meeting"]
    ),
    ts=_ts,
    attrs=_attrs,
)
_account = st.builds(
    Account,
    id=st.one_of(st.none(), st.sampled_from(["a1", "a2"])),
    name=st.one_of(st.none(), st.sampled_from(["Acme", "Globex"])),
    domain=st.one_of(st.none(), st.sampled_from(["acme.com", "globex.com"])),
    properties=_props,
)


@st.composite
def _contacts(draw: st.DrawFn) -> list[Contact]:
    n = draw(st.integers(1, 6))
    return [
        Contact(
            id=f"c{i}",
            email=draw(st.one_of(st.none(), st.sampled_from(["a@acme.com", "b@globex.com"]))),
            company=draw(st.one_of(st.none(), st.sampled_from(["Acme", "Initech"]))),
            created_ts=draw(st.one_of(st.none(), _ts)),
            properties=draw(_props),
            account=draw(st.one_of(st.none(), _account)),
            activities=tuple(draw(st.lists(_activity, max_size=8))),
        )
        for i in range(n)
    ]


def _fields(r: Row) -> tuple[Any, ...]:
    return (r.id, r.line, r.properties, r.label, r.time, r.as_of, r.activities, r.account)


@settings(max_examples=150, deadline=None)
@given(_contacts())
def test_rows_from_contacts_equal_the_json_route(contacts: list[Contact]) -> None:
    old, new = json_rows(contacts), direct_rows(contacts)
    assert [_fields(r) for r in new] == [_fields(r) for r in old]
    assert raw_table(new, NOW, None, "test") == raw_table(old, NOW, None, "test")
    assert raw_table(new, NOW, POINTS, "test") == raw_table(old, NOW, POINTS, "test")


def test_a_table_of_contacts_gives_the_same_rows_both_ways() -> None:
    """The cases the docstring names, spelled out (Hypothesis may miss one)."""
    acme = Account(id=None, name="Acme", domain="acme.com", properties={"priority": "N/A"})
    contacts = [
        Contact(
            id="1",
            email="a@acme.com",
            created_ts=NOW - 86_400 * 40,
            properties={"title": "CEO", "employees": 250, "country": " none "},
            account=acme,
            activities=(
                Activity("page_view", NOW - 3600, {"url": "https://acme.com/pricing/x"}),
                Activity("form_submit", NOW - 7200.5, {"form": "Contact Us", "kind": ""}),
                Activity("email_open", NOW + 60, {"campaign": "launch"}),
            ),
        ),
        Contact(
            id="2",
            properties={"title": "Engineer", "vip": True},
            account=acme,
            activities=(
                Activity("content_download", NOW - 86_400 * 3, {"asset": 0, "kind": "pdf"}),
            ),
        ),
        Contact(id="3"),
    ]
    old, new = json_rows(contacts), direct_rows(contacts)
    assert [_fields(r) for r in new] == [_fields(r) for r in old]
    assert new[0].account == "acme.com" and new[0].properties["account.priority"] is None
    assert new[1].activities[0].target == "pdf"  # asset 0 is falsy: the kind is the target
    raws = raw_table(new, NOW, POINTS, "test")
    assert raws == raw_table(old, NOW, POINTS, "test")
    assert raws[1]["account.engaged_stakeholders"] == 1.0
    assert raws[0]["points.exact"] > raws[2]["points.exact"]
