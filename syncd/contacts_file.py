"""Reading canonical contacts (docs/scoring.md, "Contacts") from JSONL, one contact per line.

This is the one input reader: ``syncd score`` and the sync engine use it.

    for item in read_contacts(binary_lines, "leads.jsonl"):
        Contact  -> a usable contact
        Rejected -> a line that cannot be used ("FILE:LINE: reason"); reading goes on
        Notice   -> a warning about the contact that follows it ("FILE:LINE: warning: ...")

``binary_lines`` is any iterable of ``bytes`` lines (a file opened with
``"rb"``, ``sys.stdin.buffer``); memory is bounded by one line plus the set of
ids seen. The reader never raises for bad input: a UTF-8 byte-order mark at
the start is skipped; invalid UTF-8, invalid JSON, a lone surrogate
(``"\\ud800"``), nesting deeper than Python can parse, a contact that breaks
the contract (``contact_from_json``) or a repeated id each reject only their
line. Blank lines are skipped. Unknown top-level keys are a ``Notice``.
Line numbers count from 1; the byte of invalid UTF-8 counts from 1 within
its line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from syncd.core import CONTACT_KEYS, Contact, ContactError, contact_from_json

__all__ = ["Notice", "Rejected", "read_contacts"]

_BOM = b"\xef\xbb\xbf"
#: A JSON escape that may decode to a surrogate code point (a cheap pre-check).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass(frozen=True, slots=True)
class Rejected:
    """One input line that could not be used."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning about a line whose contact is still used."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: warning: {self.message}"


def _has_lone_surrogate(value: Any) -> bool:
    """Whether any string (key or value) in decoded JSON holds a surrogate."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def _decode(raw: bytes) -> tuple[Any, str | None]:
    """(decoded JSON, None) or (None, why the line is rejected)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"invalid UTF-8 at byte {exc.start + 1}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, "nesting too deep"
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):
        return None, "invalid Unicode: a lone surrogate (\\ud800-\\udfff) in a string"
    return data, None


def read_contacts(lines: Iterable[bytes], source: str) -> Iterator[Contact | Rejected | Notice]:
    """Contacts, rejected lines and notices, in input order (see module docstring)."""
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if not raw.strip():
            continue
        data, problem = _decode(raw)
        if problem is not None:
            yield Rejected(source, number, problem)
            continue
        try:
            contact = contact_from_json(data)
        except ContactError as exc:
            yield Rejected(source, number, str(exc))
            continue
        if contact.id in first_seen:
            reason = f"duplicate id {contact.id!r} (first on line {first_seen[contact.id]})"
            yield Rejected(source, number, reason)
            continue
        first_seen[contact.id] = number
        for key in sorted(k for k in data if k not in CONTACT_KEYS):
            yield Notice(source, number, f"unknown key {key!r} ignored")
        yield contact
