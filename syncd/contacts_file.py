"""Reading canonical contacts from JSONL (DESIGN.md §2), one contact per line.

A bad line never stops the file: it becomes a `Rejected` entry naming the
source and line, and every other line is still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from syncd.core import Contact, ContactError, contact_from_json


@dataclass(frozen=True, slots=True)
class Rejected:
    """One input line that could not be used."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ReadResult:
    contacts: tuple[Contact, ...]
    lines: tuple[int, ...]  # the input line of each accepted contact
    rejected: tuple[Rejected, ...]


def read_contacts(lines: Iterable[str], source: str) -> ReadResult:
    """Parse JSONL lines; blank lines are skipped, duplicate ids are rejected."""
    contacts: list[Contact] = []
    numbers: list[int] = []
    rejected: list[Rejected] = []
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON: {exc.msg} at column {exc.colno}"
            rejected.append(Rejected(source, number, reason))
            continue
        try:
            contact = contact_from_json(data)
        except ContactError as exc:
            rejected.append(Rejected(source, number, str(exc)))
            continue
        if contact.id in first_seen:
            reason = f"duplicate id {contact.id!r} (first on line {first_seen[contact.id]})"
            rejected.append(Rejected(source, number, reason))
            continue
        first_seen[contact.id] = number
        contacts.append(contact)
        numbers.append(number)
    return ReadResult(tuple(contacts), tuple(numbers), tuple(rejected))
