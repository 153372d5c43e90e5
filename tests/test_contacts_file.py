"""The JSONL reader the CLI and the engine share (``syncd.contacts_file``)."""

from __future__ import annotations

from collections.abc import Iterator

from syncd.contacts_file import Notice, Rejected, read_contacts
from syncd.core import Contact


def test_items_come_in_input_order_with_notices_before_their_contact() -> None:
    lines = [
        b'\xef\xbb\xbf{"id": "a"}\n',
        b"\n",
        b'{"id": "b", "x": 1, "extra": 2}\n',
        b'{"id": "a"}\n',
        b"\xff\n",
        b'\xef\xbb\xbf{"id": "c"}\n',
    ]
    items = list(read_contacts(lines, "f.jsonl"))
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Contact", "Notice", "Notice", "Contact", "Rejected", "Rejected", "Rejected"]
    assert isinstance(items[0], Contact) and items[0].id == "a"
    assert [str(i) for i in items if isinstance(i, Notice)] == [
        "f.jsonl:3: warning: unknown key 'extra' ignored",
        "f.jsonl:3: warning: unknown key 'x' ignored",
    ]
    rejected = [str(i) for i in items if isinstance(i, Rejected)]
    assert rejected[0] == "f.jsonl:4: duplicate id 'a' (first on line 1)"
    assert rejected[1] == "f.jsonl:5: invalid UTF-8 at byte 1"
    assert rejected[2].startswith("f.jsonl:6: invalid JSON")  # a BOM only counts at the start


def test_reading_is_lazy() -> None:
    def lines() -> Iterator[bytes]:
        yield b'{"id": "a"}\n'
        raise AssertionError("read past the first item")

    first = next(read_contacts(lines(), "lazy"))
    assert isinstance(first, Contact) and first.id == "a"
