"""The syntax tree of the SOQL subset the fake Salesforce answers (built by `soql.parse`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal as TypingLiteral

LiteralKind = TypingLiteral["string", "number", "boolean", "null", "datetime", "date"]


class SoqlError(Exception):
    """A SOQL problem in the real API's shape: `code` is the errorCode."""

    def __init__(self, message: str, code: str = "MALFORMED_QUERY") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class FieldRef:
    path: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True, slots=True)
class Value:
    kind: LiteralKind
    value: str | int | float | bool | dt.datetime | dt.date | None


@dataclass(frozen=True, slots=True)
class Comparison:
    field: FieldRef
    op: str
    value: Value


@dataclass(frozen=True, slots=True)
class InList:
    field: FieldRef
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Like:
    field: FieldRef
    pattern: str


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Expr


Expr = Comparison | InList | Like | And | Or | Not


@dataclass(frozen=True, slots=True)
class OrderItem:
    field: FieldRef
    descending: bool = False
    nulls_last: bool | None = None  # None: the default (nulls first ASC, last DESC)


@dataclass(frozen=True, slots=True)
class Query:
    fields: tuple[FieldRef, ...]
    sobject: str
    count: bool = False
    where: Expr | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
