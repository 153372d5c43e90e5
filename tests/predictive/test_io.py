"""Reading learn/score input: delimiters, labels, missing values, big cells,
bad bytes and malformed files each give rows or one clear line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from syncd.predictive.errors import InputError
from syncd.predictive.io import parse_label, read_rows


def _write(tmp_path: Path, text: str | bytes, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["name", "employees", "won"]) + "\n"
    text += delimiter.join(["Ana, Inc", "12", "yes"]).replace("Ana, Inc", '"Ana, Inc"') + "\n"
    rows = read_rows(_write(tmp_path, text), "won")
    assert rows[0].properties == {"name": "Ana, Inc", "employees": "12"}
    assert rows[0].label == 1
    assert rows[0].id == "1"


def test_labels_missing_values_and_ids(tmp_path: Path) -> None:
    text = "id;a;y\nx1;NA;Yes\nx2;;no\nx3;5;TRUE\nx4;n/a;0\nx5;1;\n"
    rows = read_rows(_write(tmp_path, text), "y", id_column="id")
    assert [r.id for r in rows] == ["x1", "x2", "x3", "x4", "x5"]
    assert [r.label for r in rows] == [1, 0, 1, 0, None]
    assert [r.properties["a"] for r in rows] == [None, None, "5", None, "1"]


def test_a_hundred_kilobyte_cell_is_read(tmp_path: Path) -> None:
    big = "x" * 200_000
    limit = csv.field_size_limit()
    assert limit < len(big)  # the csv module's default (128 kB) would refuse it
    rows = read_rows(_write(tmp_path, f"note,y\n{big},1\nshort,0\n"), "y")
    assert rows[0].properties["note"] == big
    assert csv.field_size_limit() == limit  # raised for that file only, not for the process


def test_non_utf8_line_is_named(tmp_path: Path) -> None:
    data = b"a,y\nok,1\n" + b"caf\xe9,0\n"
    with pytest.raises(InputError, match=r"leads\.csv:3: not UTF-8 text \(byte 0xe9\)"):
        read_rows(_write(tmp_path, data), "y")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,y\n1,maybe\n", r"leads\.csv:2: column 'y': label 'maybe' is not 0/1, yes/no"),
        ("a,b\n1,2\n", r"leads\.csv:1: no label column 'y'"),
        ("a,y\n1,2,3\n", r"leads\.csv:2: 3 cells, the header has 2"),
        ("a,a,y\n1,2,1\n", r"leads\.csv:1: column 'a' appears more than once"),
        ("", r"leads\.csv: empty file"),
    ],
)
def test_bad_csv_gets_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_rows(_write(tmp_path, text), "y")


def test_duplicate_id_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"leads\.csv:3: id 'a' appears twice"):
        read_rows(_write(tmp_path, "id,y\na,1\na,0\n"), "y", id_column="id")


def test_jsonl_outcome_cuts_activities_at_conversion(tmp_path: Path) -> None:
    text = (
        '{"id": "1", "properties": {"title": "CEO"}, "account": {"properties": {"priority": true}},'
        ' "outcome": {"converted": true, "at": "2026-03-02T10:00:00Z"},'
        ' "activities": [{"type": "email_open", "at": "2026-03-01T10:00:00Z"},'
        ' {"type": "meeting", "at": "2026-03-03T10:00:00Z"}]}\n'
        '{"id": "2", "outcome": {"converted": false}}\n'
    )
    rows = read_rows(_write(tmp_path, text, "c.jsonl"), None)
    assert rows[0].label == 1 and rows[1].label == 0
    assert [a.type for a in rows[0].activities] == ["email_open"]
    assert rows[0].properties == {"title": "CEO", "account.priority": True}


def test_jsonl_errors_name_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"id": "1"}\n{"id": "2", "outcome": {"converted": "y"}}\n', "c.jsonl")
    with pytest.raises(InputError, match=r"c\.jsonl:2: 'outcome' must be"):
        read_rows(path, None)


def test_parse_label() -> None:
    assert parse_label("Y") == 1 and parse_label("f") == 0 and parse_label("") is None
    with pytest.raises(ValueError):
        parse_label("2")
