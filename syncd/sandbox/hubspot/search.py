"""CRM search semantics: filter groups (OR of ANDs), type-aware comparison and sorting."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connectors.hubspot import limits
from syncd.sandbox.hubspot.schema import parse_number, parse_time
from syncd.sandbox.hubspot.store import Record

MAX_GROUPS = limits.SEARCH_MAX_GROUPS
MAX_FILTERS_PER_GROUP = limits.SEARCH_MAX_FILTERS_PER_GROUP
MAX_FILTERS = limits.SEARCH_MAX_FILTERS
OPERATORS = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "BETWEEN",
        "IN",
        "NOT_IN",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    }
)

Key = tuple[int, Any]
TypeOf = Callable[[str], str]  # property name -> HubSpot property type


class SearchError(ValueError):
    """A malformed search request (the message is what the 400 answer says)."""


@functools.lru_cache(maxsize=65_536)
def _key(kind: str, value: str) -> Key | None:
    """Comparable key of a value under a property type; None when it does not parse
    (memoised: searches compare the same stored values over and over)."""
    if kind == "number":
        number = parse_number(value)
        return None if number is None else (0, number)
    if kind in ("date", "datetime"):
        ms = parse_time(value)
        return None if ms is None else (0, ms)
    return (1, value.casefold())


def _matches(props: Mapping[str, str], flt: Mapping[str, Any], type_of: TypeOf) -> bool:
    name = str(flt.get("propertyName", ""))
    op = str(flt.get("operator", "EQ"))
    raw = props.get(name, "")
    present = raw != ""
    if op == "HAS_PROPERTY":
        return present
    if op == "NOT_HAS_PROPERTY":
        return not present
    kind = type_of(name)
    if op in ("IN", "NOT_IN"):
        wanted = {str(v).casefold() for v in flt.get("values") or []}
        if kind == "enumeration":
            hit = any(v.casefold() in wanted for v in raw.split(";") if v)
        else:
            hit = raw.casefold() in wanted
        return hit if op == "IN" else not hit
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(flt.get("value", "")).casefold().strip("*")
        hit = token in raw.casefold()
        return hit if op == "CONTAINS_TOKEN" else not hit
    if not present:
        return op == "NEQ"
    have = _key(kind, raw)
    want = _key(kind, str(flt.get("value", "")))
    if have is None or want is None:
        return op == "NEQ"
    if have[0] != want[0]:
        return op == "NEQ"
    if op == "EQ":
        return have == want
    if op == "NEQ":
        return have != want
    if op == "LT":
        return bool(have < want)
    if op == "LTE":
        return bool(have <= want)
    if op == "GT":
        return bool(have > want)
    if op == "GTE":
        return bool(have >= want)
    if op == "BETWEEN":
        high = _key(kind, str(flt.get("highValue", "")))
        return high is not None and bool(want <= have <= high)
    return False


def validate(body: Mapping[str, Any]) -> None:
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list):
        raise SearchError("filterGroups must be a list")
    if len(groups) > MAX_GROUPS:
        raise SearchError(f"Too many filter groups: {len(groups)} > {MAX_GROUPS}")
    total = 0
    for group in groups:
        filters = (group or {}).get("filters") or []
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise SearchError(f"Too many filters in a group: {len(filters)} > 6")
        total += len(filters)
        for flt in filters:
            op = flt.get("operator")
            if op not in OPERATORS:
                raise SearchError(f"Unknown operator {op!r}")
            if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY") and flt.get("value") is not None:
                raise SearchError(f"{op} takes no value")
            if op == "BETWEEN" and flt.get("highValue") is None:
                raise SearchError("BETWEEN requires value and highValue")
            if op in ("IN", "NOT_IN") and not isinstance(flt.get("values"), list):
                raise SearchError(f"{op} requires values")
    if total > MAX_FILTERS:
        raise SearchError(f"Too many filters: {total} > {MAX_FILTERS}")
    sorts = body.get("sorts") or []
    if not isinstance(sorts, list):
        raise SearchError("sorts must be a list")
    if len(sorts) > 1:
        raise SearchError(
            f"Only one sorting rule can be applied to a search request, got {len(sorts)}"
        )


Test = Callable[[Mapping[str, str]], bool]
_COMPARE: dict[str, Callable[[Key, Key], bool]] = {
    "EQ": lambda have, want: have == want,
    "LT": lambda have, want: have < want,
    "LTE": lambda have, want: have <= want,
    "GT": lambda have, want: have > want,
    "GTE": lambda have, want: have >= want,
}


def _compile(flt: Mapping[str, Any], type_of: TypeOf) -> Test:
    """A filter as a predicate; comparisons get their wanted keys computed once (the same
    semantics as `_matches`, which handles every other operator)."""
    op = str(flt.get("operator", "EQ"))
    name = str(flt.get("propertyName", ""))
    kind = type_of(name)
    want = _key(kind, str(flt.get("value", "")))
    if op in _COMPARE and want is not None:
        compare = _COMPARE[op]

        def test(props: Mapping[str, str]) -> bool:
            raw = props.get(name, "")
            have = _key(kind, raw) if raw else None
            return have is not None and have[0] == want[0] and compare(have, want)

        return test
    high = _key(kind, str(flt.get("highValue", "")))
    if op == "BETWEEN" and want is not None and high is not None:

        def between(props: Mapping[str, str]) -> bool:
            raw = props.get(name, "")
            have = _key(kind, raw) if raw else None
            return have is not None and have[0] == want[0] and want <= have <= high

        return between
    return lambda props: _matches(props, flt, type_of)


def run(records: Sequence[Record], body: Mapping[str, Any], type_of: TypeOf) -> list[Record]:
    """Records matching the body's filterGroups (and `query`), in the requested order."""
    groups = [
        [_compile(f, type_of) for f in g.get("filters") or []]
        for g in body.get("filterGroups") or []
    ]
    query = str(body.get("query") or "").casefold()
    out: list[Record] = []
    for rec in records:
        props = rec.properties
        if groups and not any(all(test(props) for test in group) for group in groups):
            continue
        if query and not any(query in v.casefold() for v in rec.properties.values()):
            continue
        out.append(rec)
    sorts = body.get("sorts") or []
    if not sorts:
        out.sort(key=lambda r: int(r.id))
        return out
    # stable sorts applied last-key-first; missing values go last in either direction
    out.sort(key=lambda r: int(r.id))
    for spec in reversed(sorts):
        if isinstance(spec, str):
            name, descending = spec.lstrip("-"), spec.startswith("-")
        else:
            name = str(spec.get("propertyName", ""))
            descending = str(spec.get("direction", "ASCENDING")).upper().startswith("DESC")
        if name == "hs_object_id":  # the record id itself: always present, numeric
            out.sort(key=lambda r: int(r.id), reverse=descending)
            continue
        kind = type_of(name)
        keyed = [
            (_key(kind, r.properties.get(name, "")) if r.properties.get(name) else None, r)
            for r in out
        ]
        present = [(k, r) for k, r in keyed if k is not None]
        missing = [r for k, r in keyed if k is None]
        present.sort(key=lambda kr: kr[0], reverse=descending)
        out = [r for _, r in present] + missing
    return out
