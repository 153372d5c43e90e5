"""A parser for the SOQL subset the fake Salesforce answers, and a renderer back to text.

The tree types live in `soql_ast` and are re-exported here.

Grammar (keywords case-insensitive)::

    query  := SELECT (COUNT '(' ')' | path (',' path)*) FROM name
              [WHERE cond] [ORDER BY order (',' order)*] [LIMIT int] [OFFSET int]
    cond   := term (AND term)* | term (OR term)*      -- mixing needs parentheses
    term   := NOT term | '(' cond ')' | path op value | path [NOT] IN '(' value, ... ')'
              | path LIKE string
    op     := = | != | <> | < | <= | > | >=
    value  := 'string' | number | TRUE | FALSE | NULL | 2026-11-20 | 2026-11-20T10:00:00Z
    order  := path [ASC | DESC] [NULLS FIRST | NULLS LAST]

Every problem raises `SoqlError` (errorCode MALFORMED_QUERY) with the real API's
"ERROR at Row:1:Column:N" message; field and object names are checked later.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from syncd.sandbox.salesforce.soql_ast import (
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
)

__all__ = [
    "And",
    "Comparison",
    "Expr",
    "FieldRef",
    "InList",
    "Like",
    "Not",
    "Or",
    "OrderItem",
    "Query",
    "SoqlError",
    "Value",
    "parse",
    "quote",
    "render",
    "render_expr",
    "render_value",
    "tokenize",
]

OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
KEYWORDS = frozenset(
    [
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "ORDER",
        "BY",
        "ASC",
        "DESC",
        "NULLS",
        "FIRST",
        "LAST",
        "LIMIT",
        "OFFSET",
        "TRUE",
        "FALSE",
        "NULL",
        "COUNT",
        "GROUP",
        "HAVING",
        "INCLUDES",
        "EXCLUDES",
    ]
)
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\dT]))
  | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<ident>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)
  | (?P<op>!=|<>|<=|>=|=|<|>)
  | (?P<punct>[(),])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "ident" else self.text


def _error(soql: str, pos: int, detail: str) -> SoqlError:
    line = soql.replace("\n", " ")
    return SoqlError(f"\n{line}\n{' ' * pos}^\nERROR at Row:1:Column:{pos + 1}\n{detail}")


def tokenize(soql: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(soql):
        match = _TOKEN.match(soql, pos)
        if match is None:
            if soql[pos] == "'":
                raise _error(soql, pos, f"line 1:{pos} no viable alternative at character")
            raise _error(soql, pos, f"unexpected token: '{soql[pos]}'")
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("eof", "<EOF>", len(soql)))
    return tokens


def _unescape(body: str, soql: str, pos: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            elif nxt in "%_":
                out.append("\\" + nxt)  # stays escaped: only LIKE gives it meaning
            else:
                raise _error(soql, pos + i, f"Invalid string literal '{body}'. Illegal escape")
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


class _Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.tokens = tokenize(soql)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, token: Token | None = None) -> SoqlError:
        token = token or self.tok
        return _error(self.soql, token.pos, f"unexpected token: '{token.text}'")

    def take(self) -> Token:
        token = self.tok
        self.i += 1
        return token

    def at(self, *words: str) -> bool:
        return self.tok.upper in words and self.tok.kind in ("ident", "op", "punct")

    def expect(self, word: str) -> Token:
        if not self.at(word):
            raise self.fail()
        return self.take()

    def path(self) -> FieldRef:
        token = self.tok
        if token.kind != "ident" or token.upper in KEYWORDS:
            raise self.fail()
        self.take()
        return FieldRef(tuple(token.text.split(".")))

    def integer(self) -> int:
        token = self.tok
        if token.kind != "number" or not token.text.isdigit():
            raise self.fail()
        self.take()
        return int(token.text)

    def query(self) -> Query:
        self.expect("SELECT")
        fields: list[FieldRef] = []
        count = False
        if self.at("COUNT") and self.tokens[self.i + 1].text == "(":
            self.take()
            self.take()
            self.expect(")")
            count = True
        else:
            fields.append(self.path())
            while self.at(","):
                self.take()
                fields.append(self.path())
        self.expect("FROM")
        name = self.tok
        if name.kind != "ident" or "." in name.text or name.upper in KEYWORDS:
            raise self.fail()
        self.take()
        where = None
        if self.at("WHERE"):
            self.take()
            where = self.condition()
        order: list[OrderItem] = []
        if self.at("ORDER"):
            self.take()
            self.expect("BY")
            order.append(self.order_item())
            while self.at(","):
                self.take()
                order.append(self.order_item())
        limit = offset = None
        if self.at("LIMIT"):
            self.take()
            limit = self.integer()
        if self.at("OFFSET"):
            self.take()
            offset = self.integer()
        if self.tok.kind != "eof":
            raise self.fail()
        return Query(tuple(fields), name.text, count, where, tuple(order), limit, offset)

    def order_item(self) -> OrderItem:
        ref = self.path()
        descending = False
        nulls_last: bool | None = None
        if self.at("ASC", "DESC"):
            descending = self.take().upper == "DESC"
        if self.at("NULLS"):
            self.take()
            if not self.at("FIRST", "LAST"):
                raise self.fail()
            nulls_last = self.take().upper == "LAST"
        return OrderItem(ref, descending, nulls_last)

    def condition(self) -> Expr:
        items = [self.term()]
        joiner: str | None = None
        while self.at("AND", "OR"):
            word = self.tok.upper
            if joiner is not None and word != joiner:
                raise self.fail()
            joiner = word
            self.take()
            items.append(self.term())
        if joiner is None:
            return items[0]
        return And(tuple(items)) if joiner == "AND" else Or(tuple(items))

    def term(self) -> Expr:
        if self.at("NOT"):
            self.take()
            return Not(self.term())
        if self.at("("):
            self.take()
            inner = self.condition()
            self.expect(")")
            return inner
        ref = self.path()
        if self.at("NOT"):
            self.take()
            if not self.at("IN"):
                raise self.fail()
            return self.in_list(ref, negated=True)
        if self.at("IN"):
            return self.in_list(ref, negated=False)
        if self.at("LIKE"):
            self.take()
            value = self.value()
            if value.kind != "string" or not isinstance(value.value, str):
                raise self.fail(self.tokens[self.i - 1])
            return Like(ref, value.value)
        if self.tok.kind != "op":
            raise self.fail()
        op = self.take().text
        return Comparison(ref, "!=" if op == "<>" else op, self.value())

    def in_list(self, ref: FieldRef, *, negated: bool) -> InList:
        self.expect("IN")
        self.expect("(")
        if self.at("SELECT"):
            raise _error(self.soql, self.tok.pos, "semi-join sub-selects are not supported")
        values = [self.value()]
        while self.at(","):
            self.take()
            values.append(self.value())
        self.expect(")")
        return InList(ref, tuple(values), negated)

    def value(self) -> Value:
        token = self.take()
        if token.kind == "string":
            return Value("string", _unescape(token.text[1:-1], self.soql, token.pos + 1))
        if token.kind == "number":
            number: int | float = float(token.text) if "." in token.text else int(token.text)
            return Value("number", number)
        if token.kind == "datetime":
            text = token.text.replace("Z", "+00:00")
            if text[-3] != ":":
                text = text[:-2] + ":" + text[-2:]
            try:
                return Value("datetime", dt.datetime.fromisoformat(text))
            except ValueError:
                raise self.fail(token) from None
        if token.kind == "date":
            try:
                return Value("date", dt.date.fromisoformat(token.text))
            except ValueError:
                raise self.fail(token) from None
        if token.kind == "ident" and token.upper in ("TRUE", "FALSE"):
            return Value("boolean", token.upper == "TRUE")
        if token.kind == "ident" and token.upper == "NULL":
            return Value("null", None)
        raise self.fail(token)


def parse(soql: str) -> Query:
    """Parse one SOQL query; `SoqlError` for anything outside the subset."""
    if not isinstance(soql, str) or not soql.strip():
        raise SoqlError("\n\n^\nERROR at Row:1:Column:1\nunexpected token: <EOF>")
    return _Parser(soql).query()


def quote(text: str) -> str:
    """A SOQL string literal for `text` (escapes backslash, quotes and control chars)."""
    out = text.replace("\\", "\\\\")
    for char, esc in (("'", "\\'"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        out = out.replace(char, esc)
    out = out.replace("\b", "\\b").replace("\f", "\\f")
    return f"'{out}'"


def render_value(value: Value) -> str:
    v = value.value
    if value.kind == "string" and isinstance(v, str):
        return quote(v).replace("\\\\%", "\\%").replace("\\\\_", "\\_")
    if value.kind == "boolean":
        return "true" if v else "false"
    if value.kind == "null":
        return "null"
    if value.kind == "datetime" and isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if value.kind == "date" and isinstance(v, dt.date):
        return v.isoformat()
    return repr(v)


def render_expr(expr: Expr) -> str:
    match expr:
        case Comparison(field, op, value):
            return f"{field} {op} {render_value(value)}"
        case InList(field, values, negated):
            inner = ", ".join(render_value(v) for v in values)
            return f"{field} {'NOT IN' if negated else 'IN'} ({inner})"
        case Like(field, pattern):
            return f"{field} LIKE {render_value(Value('string', pattern))}"
        case Not(item):
            inner = render_expr(item)
            return f"NOT ({inner})" if isinstance(item, And | Or) else f"NOT {inner}"
        case And(items) | Or(items):
            joiner = " AND " if isinstance(expr, And) else " OR "
            return joiner.join(
                f"({render_expr(i)})" if isinstance(i, And | Or) else render_expr(i) for i in items
            )
    raise TypeError(f"not a SOQL expression: {expr!r}")


def render(query: Query) -> str:
    select = "COUNT()" if query.count else ", ".join(str(f) for f in query.fields)
    text = f"SELECT {select} FROM {query.sobject}"
    if query.where is not None:
        text += " WHERE " + render_expr(query.where)
    if query.order_by:
        parts = []
        for item in query.order_by:
            part = f"{item.field}{' DESC' if item.descending else ''}"
            if item.nulls_last is not None:
                part += " NULLS LAST" if item.nulls_last else " NULLS FIRST"
            parts.append(part)
        text += " ORDER BY " + ", ".join(parts)
    if query.limit is not None:
        text += f" LIMIT {query.limit}"
    if query.offset is not None:
        text += f" OFFSET {query.offset}"
    return text
