"""Safe SOQL: queries are built only from validated identifiers and quoted literals.

Nothing from configuration or from record data is pasted into a query as text.
Object and field names must match Salesforce's API-name grammar (letters,
digits and single underscores, optionally ``__c``/``__r``-style suffixes,
dotted relationship paths) and must not be SOQL keywords or function names
(``COUNT``, ``SUM``, ``CALENDAR_YEAR`` …); values are rendered
by ``literal``, which quotes strings with every special character escaped and
renders numbers, booleans, dates and date-times in SOQL's own syntax.
Violations raise ``SoqlError`` naming the offending value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "SoqlError",
    "Where",
    "and_",
    "chunk_ids",
    "eq",
    "field",
    "field_list",
    "ge",
    "gt",
    "id_in",
    "identifier",
    "literal",
    "lt",
    "or_",
    "record_id",
    "select",
]

#: Reserved words that can never be an identifier: the SOQL reference's list
#: ("Alias Notation": AND … WITH) plus the words of every other clause.
# fmt: off
KEYWORDS = frozenset((
    "AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "GROUP", "HAVING", "IN", "INCLUDES",
    "LAST", "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OR", "SELECT", "WHERE", "WITH", "ORDER",
    "BY", "OFFSET", "TRUE", "FALSE", "TYPEOF", "WHEN", "THEN", "ELSE", "END", "USING", "SCOPE",
    "FOR", "UPDATE", "VIEW", "REFERENCE", "TRACKING", "VIEWSTAT", "CUBE", "ROLLUP", "FORMAT",
    "ALL", "ROWS",
))
#: SOQL function names (aggregate, date, grouping, formatting, location
#: functions): a bare ``COUNT`` in a field list reads as the start of
#: ``COUNT()``, so none of them is accepted as a field or object name either.
FUNCTIONS = frozenset((
    "AVG", "COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM",
    "CALENDAR_MONTH", "CALENDAR_QUARTER", "CALENDAR_YEAR", "DAY_IN_MONTH", "DAY_IN_WEEK",
    "DAY_IN_YEAR", "DAY_ONLY", "FISCAL_MONTH", "FISCAL_QUARTER", "FISCAL_YEAR", "HOUR_IN_DAY",
    "WEEK_IN_MONTH", "WEEK_IN_YEAR", "GROUPING", "FIELDS", "TOLABEL", "CONVERTCURRENCY",
    "CONVERTTIMEZONE", "DISTANCE", "GEOLOCATION",
))
# fmt: on
_NAME = re.compile(r"[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?")
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


class SoqlError(ValueError):
    """A value that cannot be placed safely in a query."""


def identifier(name: str) -> str:
    """An object or field API name (``Lead``, ``Syncd_Score__c``), else ``SoqlError``."""
    if (
        not isinstance(name, str)
        or len(name) > 80
        or _NAME.fullmatch(name) is None
        or "___" in name
    ):
        raise SoqlError(f"{name!r} is not a valid Salesforce API name")
    if name.upper() in KEYWORDS:
        raise SoqlError(f"{name!r} is a SOQL keyword, not a field or object name")
    if name.upper() in FUNCTIONS:
        raise SoqlError(f"{name!r} is a SOQL function name, not a field or object name")
    return name


def field(path: str) -> str:
    """A field path (``Account.Name``, ``Who.Type``): each part an identifier."""
    if not isinstance(path, str) or not path:
        raise SoqlError(f"{path!r} is not a valid field path")
    parts = path.split(".")
    if len(parts) > 5:
        raise SoqlError(f"{path!r} follows too many relationships")
    return ".".join(identifier(part) for part in parts)


def field_list(paths: Iterable[str]) -> str:
    """Validated, de-duplicated (case-insensitively, first spelling wins) field list."""
    seen: dict[str, str] = {}
    for path in paths:
        checked = field(path)
        seen.setdefault(checked.lower(), checked)
    if not seen:
        raise SoqlError("a query needs at least one field")
    return ", ".join(seen.values())


def _quote(text: str) -> str:
    if "\x00" in text:
        raise SoqlError("a SOQL string literal cannot contain a NUL character")
    return "'" + "".join(_ESCAPES.get(char, char) for char in text) + "'"


Literal = str | int | float | bool | dt.datetime | dt.date | None


def literal(value: Literal) -> str:
    """``value`` as a SOQL literal: quoted string, number, boolean, date(-time) or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SoqlError(f"{value!r} is not a finite number")
        return format(Decimal(repr(value)), "f")  # SOQL has no exponent notation
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise SoqlError(f"{value!r}: date-times must be timezone-aware")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _quote(value)
    raise SoqlError(f"{value!r} cannot be a SOQL literal")


@dataclass(frozen=True, slots=True)
class Where:
    """A condition already rendered from validated parts (build with the helpers)."""

    text: str


def _compare(path: str, op: str, value: Literal) -> Where:
    return Where(f"{field(path)} {op} {literal(value)}")


def eq(path: str, value: Literal) -> Where:
    return _compare(path, "=", value)


def ge(path: str, value: Literal) -> Where:
    return _compare(path, ">=", value)


def gt(path: str, value: Literal) -> Where:
    return _compare(path, ">", value)


def lt(path: str, value: Literal) -> Where:
    return _compare(path, "<", value)


def record_id(value: str) -> str:
    """A 15- or 18-character record id, else ``SoqlError``."""
    if not isinstance(value, str) or _ID.fullmatch(value) is None:
        raise SoqlError(f"{value!r} is not a Salesforce record id")
    return value


def id_in(path: str, ids: Sequence[str]) -> Where:
    """``path IN ('id', ...)`` over validated record ids."""
    if not ids:
        raise SoqlError("an IN list needs at least one id")
    return Where(f"{field(path)} IN ({', '.join(literal(record_id(i)) for i in ids)})")


def _join(word: str, parts: Iterable[Where | None]) -> Where | None:
    texts = [p.text for p in parts if p is not None]
    if not texts:
        return None
    if len(texts) == 1:
        return Where(texts[0])
    return Where(f" {word} ".join(f"({t})" for t in texts))


def and_(*parts: Where | None) -> Where | None:
    return _join("AND", parts)


def or_(*parts: Where | None) -> Where | None:
    return _join("OR", parts)


def select(
    sobject: str,
    fields: Iterable[str],
    where: Where | None = None,
    order_by: Sequence[str] = (),
    limit: int | None = None,
) -> str:
    """``SELECT fields FROM sobject [WHERE ...] [ORDER BY ...] [LIMIT n]``."""
    text = f"SELECT {field_list(fields)} FROM {identifier(sobject)}"
    if where is not None:
        text += f" WHERE {where.text}"
    if order_by:
        text += " ORDER BY " + ", ".join(field(p) for p in order_by)
    if limit is not None:
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise SoqlError(f"{limit!r} is not a valid LIMIT")
        text += f" LIMIT {limit}"
    return text


def chunk_ids(ids: Sequence[str], *, budget: int) -> Iterator[list[str]]:
    """Split ``ids`` into lists whose ``IN`` rendering fits in ``budget`` bytes of
    URL-encoded query text: each id costs 18 characters, two quotes (``%27``
    each) and a separator (``%2C+``), 28 bytes in all."""
    per_id = 18 + 6 + 4
    size = max(1, budget // per_id)
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])
