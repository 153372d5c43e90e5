"""Pydantic's validation errors, said in syncd's words and placed on the
offending key: its file line, or the environment variable that set it.

Messages never echo an input value (it may be a secret)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic_core import ErrorDetails

from connectors import registry
from connectors.options import BOUNDS
from syncd.configfile import line_of, locate
from syncd.configschema import child_type, keys_of
from syncd.core.errors import KeyPath, format_location

__all__ = ["Placed", "describe", "place_error", "type_at"]

#: (source: file or variable, line or None, key path, message)
Placed = tuple[str, int | None, str, str]

_BOUNDS = {
    "greater_than": ("gt", "more than"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "less than"),
    "less_than_equal": ("le", "at most"),
}

_KINDS = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "dict_type": "must be a mapping of keys (key: value)",
    "model_type": "must be a mapping of keys (key: value)",
    "model_attributes_type": "must be a mapping of keys (key: value)",
    "list_type": "must be a list",
    "missing": "required",
    "time_parsing": "must be a time of day such as 03:00",
    "time_type": "must be a time of day such as 03:00",
    "time_delta_parsing": "must be a duration such as 30s, 15m, 2h or 1d",
    "time_delta_type": "must be a duration such as 30s, 15m, 2h or 1d",
}


def type_at(root: Any, data: Any, path: KeyPath) -> Any:
    """The settings type of the document's place ``path`` (None: unknown)."""
    tp, node = root, data
    for part in path:
        if tp is None:
            return None
        tp = child_type(tp, node, part)
        node = node.get(part) if isinstance(node, dict) else None
    return tp


def describe(err: ErrorDetails, known: list[str] | None = None) -> str:
    """``err`` in our words; ``known`` are the keys allowed beside an unknown one."""
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    if kind == "extra_forbidden":
        key = str(err["loc"][-1]) if err["loc"] else ""
        close = difflib.get_close_matches(key, known or [], n=1, cutoff=0.6)
        return "unknown key" + (f" (did you mean {close[0]}?)" if close else "")
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return "must be one of: " + ", ".join(expected)
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        limit = ctx.get(name)
        shown = f"{limit:g}" if isinstance(limit, float) else str(limit)
        bound = BOUNDS.get(str(err["loc"][-1])) if err["loc"] else None
        why = "" if bound is None else bound.why_low if name in ("gt", "ge") else bound.why_high
        return f"must be {words} {shown}" + (f": {why}" if why else "")
    if kind in _KINDS:
        return _KINDS[kind]
    msg = str(err["msg"]).removeprefix("Value error, ")
    return re.sub(r" or instance of \w+", "", msg)


def place_error(
    err: ErrorDetails,
    data: Any,
    lines: Mapping[KeyPath, int],
    source: str,
    origin: Callable[[KeyPath], str | None],
    root: Any,
) -> Placed:
    """Where ``err`` belongs and what it says."""
    key_path = locate(data, err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        known = keys_of(type_at(root, data, key_path[:-1]), _node(data, key_path[:-1]))
        msg = describe(err, known)
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        ctx = err.get("ctx", {}) or {}
        tag_key = str(ctx.get("discriminator", "")).strip("'")
        expected = str(ctx.get("expected_tags", "")).replace("'", "")
        key_path = (*key_path, tag_key)
        msg = (
            f"unknown value, expected one of: {expected}"
            if kind == "union_tag_invalid"
            else "required"
            + (": " + " or ".join(registry.available()) if tag_key == "type" else "")
        )
    else:
        msg = describe(err)
        if kind == "value_error":
            key_path = _named_key(data, key_path, msg)
    var = origin(key_path)
    if var is not None:
        return var, None, format_location(key_path), msg
    return source, line_of(lines, key_path), format_location(key_path), msg


def _node(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _named_key(data: Any, path: KeyPath, msg: str) -> KeyPath:
    """A check of a whole mapping (``set exactly one of access_token or oauth``)
    belongs to the first of its keys that the message names and the file sets."""
    node = _node(data, path)
    if not isinstance(node, dict):
        return path
    best: tuple[int, str] | None = None
    for key, value in node.items():
        if not isinstance(key, str):
            continue
        hit = re.search(rf"(?<![\w.]){re.escape(key)}(?![\w])", msg)
        if hit is None and isinstance(value, str) and len(value) > 8 and value in msg:
            hit = re.search(re.escape(value), msg)
        if hit is not None and (best is None or hit.start() < best[0]):
            best = (hit.start(), key)
    return path if best is None else (*path, best[1])
