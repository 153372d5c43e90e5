"""Checks a parsed SOQL query against the schema and evaluates it over the store."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.salesforce import limits
from syncd.sandbox.salesforce.schema import (
    NUMBER_TYPES,
    TEXT_TYPES,
    SField,
    SObjectType,
    is_valid_id,
    name_entity,
)
from syncd.sandbox.salesforce.soql import (
    And,
    Comparison,
    Expr,
    FieldRef,
    InList,
    Like,
    Not,
    Or,
    Query,
    SoqlError,
    Value,
    parse,
)
from syncd.sandbox.salesforce.store import (
    Record,
    Store,
    format_datetime_csv,
    to_json_value,
)

MAX_OFFSET = limits.QUERY_OFFSET_MAX
NAME_ENTITY = name_entity()
_TYPE_WORD = {"datetime": "dateTime", "int": "integer", "double": "double", "currency": "double"}


@dataclass(frozen=True, slots=True)
class Resolved:
    """A field path resolved to the relationship hops and the final field."""

    hops: tuple[SField, ...]  # reference fields followed, in order
    field: SField

    @property
    def polymorphic(self) -> bool:
        """Whether the last hop is polymorphic (Who, What): it ends on the Name entity."""
        return bool(self.hops) and len(self.hops[-1].reference_to) > 1

    @property
    def key(self) -> tuple[str, ...]:
        return (*(h.relationship_name or h.name for h in self.hops), self.field.name)


def _at(soql: str, text: str, message: str, code: str) -> SoqlError:
    pos = max(0, soql.lower().find(text.lower()))
    line = soql.replace("\n", " ")
    return SoqlError(f"\n{line}\n{' ' * pos}^\nERROR at Row:1:Column:{pos + 1}\n{message}", code)


class Checked:
    """A query whose object and fields exist; resolves paths once."""

    def __init__(self, store: Store, soql: str) -> None:
        self.soql = soql
        self.query: Query = parse(soql)
        sobject = store.sobject(self.query.sobject)
        if sobject is None:
            raise _at(
                soql,
                self.query.sobject,
                f"sObject type '{self.query.sobject}' is not supported. If you are attempting "
                "to use a custom object, be sure to append the '__c' after the entity name. "
                "Please reference your WSDL or the describe call for the appropriate names.",
                "INVALID_TYPE",
            )
        self.store = store
        self.sobject: SObjectType = sobject
        self._paths: dict[tuple[str, ...], Resolved] = {}
        self.columns = [self.resolve(ref) for ref in self.query.fields]
        if self.query.where is not None:
            self._check(self.query.where)
        for item in self.query.order_by:
            f = self.resolve(item.field).field
            if f.long_text:
                raise _at(
                    soql,
                    str(item.field),
                    f"field '{f.name}' can not be sorted in a query call",
                    "INVALID_FIELD",
                )
        if self.query.offset is not None and self.query.offset > MAX_OFFSET:
            raise SoqlError(
                f"Maximum SOQL offset allowed is {MAX_OFFSET}", "NUMBER_OUTSIDE_VALID_RANGE"
            )

    def resolve(self, ref: FieldRef) -> Resolved:
        key = tuple(p.lower() for p in ref.path)
        if key in self._paths:
            return self._paths[key]
        types = [self.sobject]
        hops: list[SField] = []
        path = ref.path
        if len(path) > 1 and path[0].lower() == self.sobject.name.lower():
            path = path[1:]  # SELECT Lead.Email FROM Lead
        for part in path[:-1]:
            hop = next((t.relationship(part) for t in types if t.relationship(part)), None)
            if hop is None:
                raise _at(
                    self.soql,
                    str(ref),
                    f"Didn't understand relationship '{part}' in field path. If you are "
                    "attempting to use a custom relationship, be sure to append the '__r' "
                    "after the custom relationship name. Please reference your WSDL or the "
                    "describe call for the appropriate names.",
                    "INVALID_FIELD",
                )
            hops.append(hop)
            if len(hop.reference_to) > 1:
                types = [NAME_ENTITY]  # Who/What: only the Name entity's fields
            else:
                types = [self.store.schema[name] for name in hop.reference_to]
        final = next((t.field(path[-1]) for t in types if t.field(path[-1])), None)
        if final is None:
            entity = types[0].name if len(types) == 1 else "Name"
            raise _at(
                self.soql,
                str(ref),
                f"No such column '{path[-1]}' on entity '{entity}'. If you are attempting to "
                "use a custom field, be sure to append the '__c' after the custom field name. "
                "Please reference your WSDL or the describe call for the appropriate names.",
                "INVALID_FIELD",
            )
        resolved = Resolved(tuple(hops), final)
        self._paths[key] = resolved
        return resolved

    def _check(self, expr: Expr) -> None:
        match expr:
            case And(items) | Or(items):
                for item in items:
                    self._check(item)
            case Not(item):
                self._check(item)
            case Comparison(ref, _, value):
                self._filterable(ref)
                self._check_value(ref, value)
            case InList(ref, values, _):
                self._filterable(ref)
                for value in values:
                    self._check_value(ref, value)
            case Like(ref, _):
                f = self._filterable(ref)
                if f.type not in TEXT_TYPES:
                    raise _at(
                        self.soql, str(ref), f"invalid operator on {f.type} field", "INVALID_FIELD"
                    )

    def _filterable(self, ref: FieldRef) -> SField:
        f = self.resolve(ref).field
        if f.long_text:
            raise _at(
                self.soql,
                str(ref),
                f"field '{f.name}' can not be filtered in a query call",
                "INVALID_FIELD",
            )
        return f

    def _check_value(self, ref: FieldRef, value: Value) -> None:
        f = self.resolve(ref).field
        if value.kind == "null":
            return
        if (
            f.type in ("id", "reference")
            and value.kind == "string"
            and isinstance(value.value, str)
            and not (is_valid_id(value.value) or (len(value.value) == 15 and value.value.isalnum()))
        ):
            raise SoqlError(f"invalid ID field: {value.value}", "INVALID_QUERY_FILTER_OPERATOR")
        expected = (
            "string" if f.type in TEXT_TYPES else "number" if f.type in NUMBER_TYPES else f.type
        )
        if value.kind == expected:
            return
        word = _TYPE_WORD.get(f.type, f.type if expected != "string" else "string")
        quoted = (
            "should be enclosed in quotes"
            if expected == "string"
            else ("should not be enclosed in quotes")
        )
        raise _at(
            self.soql,
            str(ref),
            f"value of filter criterion for field '{f.name}' must be of type {word} and {quoted}",
            "INVALID_FIELD",
        )

    # -- evaluation -----------------------------------------------------------------
    def value(self, record: Record, resolved: Resolved) -> Any:
        current: Record | None = record
        found: tuple[str, Record] | None = None
        for hop in resolved.hops:
            target = current.get(hop.name) if current else None
            found = self.store.find(target) if target else None
            current = found[1] if found else None
        if current is None:
            return None
        if resolved.polymorphic and resolved.field.name == "Type" and found is not None:
            return found[0]
        return current.get(resolved.field.name)

    def matches(self, record: Record, expr: Expr) -> bool:
        match expr:
            case And(items):
                return all(self.matches(record, i) for i in items)
            case Or(items):
                return any(self.matches(record, i) for i in items)
            case Not(item):
                return not self.matches(record, item)
            case Comparison(ref, op, value):
                resolved = self.resolve(ref)
                return _compare(self.value(record, resolved), op, value, resolved.field)
            case InList(ref, values, negated):
                resolved = self.resolve(ref)
                actual = self.value(record, resolved)
                hit = any(_compare(actual, "=", v, resolved.field) for v in values)
                return hit != negated
            case Like(ref, pattern):
                actual = self.value(record, self.resolve(ref))
                return isinstance(actual, str) and _like(pattern).fullmatch(actual) is not None
        raise TypeError(f"not a SOQL expression: {expr!r}")

    def rows(self, *, include_deleted: bool) -> list[Record]:
        """The matching live records, ordered, after LIMIT/OFFSET (callers hold the lock)."""
        name = self.sobject.name
        table = self.store.table(name).values()
        where = self.query.where
        rows = []
        for r in table:
            archived = self.store.archived(name, r)  # also refreshes IsArchived
            if not include_deleted and (r["IsDeleted"] or archived):
                continue
            if where is None or self.matches(r, where):
                rows.append(r)
        if self.query.order_by:  # rows tied on every key come back in no particular order
            self.store.random.shuffle(rows)
        for item in reversed(self.query.order_by):
            resolved = self.resolve(item.field)
            present = [r for r in rows if self.value(r, resolved) is not None]
            absent = [r for r in rows if self.value(r, resolved) is None]
            present.sort(key=self._sorter(resolved), reverse=item.descending)
            nulls_last = item.nulls_last if item.nulls_last is not None else item.descending
            rows = present + absent if nulls_last else absent + present
        start = self.query.offset or 0
        end = None if self.query.limit is None else start + self.query.limit
        return rows[start:end]

    def _sorter(self, resolved: Resolved) -> Callable[[Record], Any]:
        if resolved.field.type in ("id", "reference"):  # ids compare case-sensitively

            def by_id(record: Record) -> Any:
                return str(self.value(record, resolved))[:15]

            return by_id

        def key(record: Record) -> Any:
            return _sort_key(self.value(record, resolved))

        return key

    def project(self, record: Record, version: str) -> dict[str, Any]:
        """The record as the REST API returns it, relationship fields nested."""
        out = _attributes(self.sobject.name, record["Id"], version)
        for resolved in self.columns:
            if not resolved.hops:
                out[resolved.field.name] = to_json_value(record.get(resolved.field.name))
                continue
            node: dict[str, Any] | None = out
            current: Record | None = record
            for hop in resolved.hops:
                name = hop.relationship_name or hop.name
                target = current.get(hop.name) if current else None
                found = self.store.find(target) if target else None
                current = found[1] if found else None
                if node is None:
                    break
                if current is None or found is None:
                    node.setdefault(name, None)
                    node = None
                    break
                child = node.get(name)
                if child is None:
                    kind = "Name" if len(hop.reference_to) > 1 else found[0]
                    child = _attributes(kind, current["Id"], version)
                    node[name] = child
                node = child
            if node is not None and current is not None:
                node[resolved.field.name] = to_json_value(self.value(record, resolved))
        return out

    def flat(self, record: Record) -> list[str]:
        """CSV cells for a Bulk API query (relationship columns as `Account.Name`)."""
        cells = []
        for resolved in self.columns:
            value = self.value(record, resolved)
            if value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append("true" if value else "false")
            elif isinstance(value, dt.datetime):
                cells.append(format_datetime_csv(value))
            elif isinstance(value, dt.date):
                cells.append(value.isoformat())
            else:
                cells.append(str(value))
        return cells

    def header(self) -> list[str]:
        return [".".join(r.key) for r in self.columns]


def _attributes(sobject: str, record_id: str, version: str) -> dict[str, Any]:
    url = f"/services/data/v{version}/sobjects/{sobject}/{record_id}"
    return {"attributes": {"type": sobject, "url": url}}


def _norm(value: Any, f: SField) -> Any:
    if isinstance(value, str):
        if f.type in ("id", "reference"):
            return value[:15]
        return value.casefold()
    return value


def _sort_key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _compare(actual: Any, op: str, literal: Value, f: SField) -> bool:
    expected = literal.value
    if literal.kind == "null":
        return (actual is None) == (op == "=") if op in ("=", "!=") else False
    if actual is None:
        return op == "!="
    if isinstance(actual, dt.datetime) and isinstance(expected, dt.datetime):
        expected = expected.astimezone(dt.UTC)
    a, b = _norm(actual, f), _norm(expected, f)
    try:
        if op == "=":
            return bool(a == b)
        if op == "!=":
            return bool(a != b)
        if op == "<":
            return bool(a < b)
        if op == "<=":
            return bool(a <= b)
        if op == ">":
            return bool(a > b)
        return bool(a >= b)
    except TypeError:
        return False


_LIKE_CACHE: dict[str, re.Pattern[str]] = {}


def _like(pattern: str) -> re.Pattern[str]:
    compiled = _LIKE_CACHE.get(pattern)
    if compiled is None:
        out = []
        i = 0
        while i < len(pattern):
            char = pattern[i]
            if char == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "%_":
                out.append(re.escape(pattern[i + 1]))
                i += 2
                continue
            out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
            i += 1
        compiled = re.compile("".join(out), re.IGNORECASE | re.DOTALL)
        if len(_LIKE_CACHE) < 1024:
            _LIKE_CACHE[pattern] = compiled
    return compiled
