"""Labelled rows for learning and scoring, read from a CSV or a JSONL file.

CSV: a header row; the delimiter (comma, semicolon or tab) is detected from
the start of the file; the label column holds 0/1, yes/no, true/false (y/n, t/f
too; any case), an empty label leaves the row unlabelled; without an id
column the 1-based data row number is the id; every other column is a
contact property. Cells are text until ``features`` decides a column is
numeric; empty cells and NA / N/A / NaN / null / None are missing.

JSONL: one canonical contact per line (``id``, ``properties``, ``account``,
``activities``, ``created_at``) with an ``outcome`` object
(``{"converted": true, "at": "2026-03-02T10:00:00Z"}``; ``converted: false``
and no ``at`` for the others). A converted contact is seen as of its
conversion: activities at or after ``at`` are left out; ``decision_points``
sees the others at a comparable age.

Bad input raises ``InputError`` with one line naming the file, line and
column or key; nothing here prints.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from syncd.core import Contact, parse_datetime
from syncd.predictive.errors import InputError

__all__ = [
    "MISSING_TOKENS",
    "Activity",
    "Row",
    "data_now",
    "parse_label",
    "property_values",
    "read_rows",
    "row_from_json",
]

MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none"})
_TRUE = frozenset({"1", "yes", "y", "true", "t", "1.0"})
_FALSE = frozenset({"0", "no", "n", "false", "f", "0.0"})
#: A cell may be this long (the csv module's default limit is 128 kB).
MAX_CELL = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Activity:
    """One activity reduced to what the features use: type, epoch seconds,
    and the URL or form/asset name when it has one."""

    type: str
    at: float
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One contact: ``properties`` (account properties under ``account.NAME``),
    its ``label`` (1, 0, or None when unlabelled), the time it is seen as of
    (``as_of``, epoch seconds, None when the input has no times), the time it
    arrived (``time``, for a time split) and its activities before ``as_of``."""

    id: str
    line: int
    properties: dict[str, Any]
    label: int | None
    time: float | None = None
    as_of: float | None = None
    activities: tuple[Activity, ...] = field(default_factory=tuple)
    #: The canonical contact of a JSONL row (without ``outcome``), for the
    #: points model's components.
    contact: dict[str, Any] | None = None
    #: The account a JSONL contact belongs to (its id, else its domain or name).
    account: str | None = None
    #: The core's contact a row was built from (``contact_rows``), for the
    #: points model's components instead of ``contact``.
    source_contact: Contact | None = None


def parse_label(value: object) -> int | None:
    """1 / 0 for a recognised label, None for a missing one; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    if text in MISSING_TOKENS:
        return None
    raise ValueError(f"label {str(value)[:40]!r} is not 0/1, yes/no or true/false")


def read_rows(
    path: Path,
    label: str | None,
    *,
    id_column: str | None = None,
    time_column: str | None = None,
    label_optional: bool = False,
) -> list[Row]:
    """Every row of ``path`` (CSV unless it ends in .jsonl/.ndjson). ``label``
    names the CSV label column; with ``label_optional`` (scoring) a file
    without it gives unlabelled rows."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    text = _decode(data, path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return _read_jsonl(text, path)
    if label_optional and label is not None and label not in _header(text):
        label = None
    return _read_csv(text, path, label, id_column, time_column)


def _header(text: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)), [])
    return [h.strip() for h in first]


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)"
        ) from None


def _delimiter(text: str) -> str:
    sample = text[:65536]
    header = sample.split("\n", 1)[0]
    try:
        found = csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        found = ""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    if found and counts[found] > 0:
        return found
    return max(counts, key=lambda d: counts[d])


def _read_csv(
    text: str, path: Path, label: str | None, id_column: str | None, time_column: str | None
) -> list[Row]:
    # the csv module's cell limit is process-wide: raised for this file only
    previous = csv.field_size_limit(MAX_CELL)
    try:
        return _csv_rows(text, path, label, id_column, time_column)
    finally:
        csv.field_size_limit(previous)


def _csv_rows(
    text: str, path: Path, label: str | None, id_column: str | None, time_column: str | None
) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise InputError(f"{path}: empty file (a header row is needed)")
        names = [h.strip() for h in header]
        _check_header(names, path, label, id_column, time_column)
        rows: list[Row] = []
        seen: set[str] = set()
        for number, cells in enumerate(reader, start=1):
            if not cells or all(not c.strip() for c in cells):
                continue
            line = reader.line_num
            if len(cells) != len(names):
                raise InputError(
                    f"{path}:{line}: {len(cells)} cells, the header has {len(names)} "
                    "(a stray delimiter or quote?)"
                )
            rows.append(
                _csv_row(names, cells, path, line, number, label, id_column, time_column, seen)
            )
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: {exc}") from None
    return rows


def _check_header(
    names: Sequence[str],
    path: Path,
    label: str | None,
    id_column: str | None,
    time_column: str | None,
) -> None:
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"{path}:1: column {dupes[0]!r} appears more than once in the header")
    for what, col in (("label", label), ("id", id_column), ("time", time_column)):
        if col is not None and col not in names:
            shown = ", ".join(repr(n) for n in names[:12])
            raise InputError(f"{path}:1: no {what} column {col!r} (columns: {shown}…)")


def _csv_row(
    names: Sequence[str],
    cells: Sequence[str],
    path: Path,
    line: int,
    number: int,
    label: str | None,
    id_column: str | None,
    time_column: str | None,
    seen: set[str],
) -> Row:
    props: dict[str, Any] = {}
    value_label: int | None = None
    rid = str(number)
    when: float | None = None
    for name, cell in zip(names, cells, strict=True):
        value = cell.strip()
        if name == label:
            try:
                value_label = parse_label(value)
            except ValueError as exc:
                raise InputError(f"{path}:{line}: column {name!r}: {exc}") from None
        elif name == id_column:
            if not value:
                raise InputError(f"{path}:{line}: empty id in column {name!r}")
            rid = value
        elif name == time_column:
            when = _time(value, path, line, name)
        else:
            props[name] = None if value.casefold() in MISSING_TOKENS else value
    if rid in seen:
        raise InputError(f"{path}:{line}: id {rid!r} appears twice")
    seen.add(rid)
    return Row(id=rid, line=line, properties=props, label=value_label, time=when)


def _time(value: str, path: Path, line: int, name: str) -> float | None:
    if value.casefold() in MISSING_TOKENS:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        try:
            return float(value)
        except ValueError:
            raise InputError(
                f"{path}:{line}: column {name!r}: {value[:40]!r} is not an ISO-8601 time"
            ) from None
    return parsed.timestamp()


def _read_jsonl(text: str, path: Path) -> list[Row]:
    rows: list[Row] = []
    seen: set[str] = set()
    # split on newlines only: U+2028 and friends may sit inside JSON strings
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise InputError(f"{path}:{line}: not JSON ({exc})") from None
        if not isinstance(obj, dict):
            raise InputError(f"{path}:{line}: a contact must be a JSON object")
        row = _json_row(obj, path, line)
        if row.id in seen:
            raise InputError(f"{path}:{line}: id {row.id!r} appears twice")
        seen.add(row.id)
        rows.append(row)
    return rows


def row_from_json(obj: dict[str, Any], source: str, line: int) -> Row:
    """One canonical contact (with an optional ``outcome``) as a row;
    ``source`` and ``line`` name it in errors."""
    return _json_row(obj, source, line)


def _json_row(obj: dict[str, Any], path: Path | str, line: int) -> Row:
    where = f"{path}:{line}"
    rid = obj.get("id")
    if not isinstance(rid, str | int) or isinstance(rid, bool) or str(rid) == "":
        raise InputError(f"{where}: 'id' must be a non-empty string")
    props = _scalars(obj.get("properties"), f"{where}: 'properties'")
    account = obj.get("account")
    account_key: str | None = None
    if isinstance(account, dict):
        key = account.get("id") or account.get("domain") or account.get("name")
        account_key = None if key is None else str(key)
        for k, v in _scalars(account.get("properties"), f"{where}: 'account.properties'").items():
            props[f"account.{k}"] = v
    label, converted_at = _outcome(obj.get("outcome"), where)
    created = _json_time(obj.get("created_at"), f"{where}: 'created_at'")
    acts = _activities(obj.get("activities"), where)
    if converted_at is not None:
        acts = [a for a in acts if a.at < converted_at]
    first = min((a.at for a in acts), default=None)
    return Row(
        id=str(rid),
        line=line,
        properties=props,
        label=label,
        time=created if created is not None else first,
        as_of=converted_at,
        activities=tuple(sorted(acts, key=lambda a: a.at)),
        contact={k: v for k, v in obj.items() if k != "outcome"},
        account=account_key,
    )


def _scalars(value: object, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where} must be an object")
    return property_values(value)


def property_values(values: Mapping[Any, object]) -> dict[str, Any]:
    """Properties as rows hold them: keys as text, missing-value tokens
    (``MISSING_TOKENS``) as None, anything but a scalar as its text."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(v, str) and v.strip().casefold() in MISSING_TOKENS:
            v = None
        out[str(k)] = v if v is None or isinstance(v, str | int | float | bool) else str(v)
    return out


def _outcome(value: object, where: str) -> tuple[int | None, float | None]:
    if value is None:
        return None, None
    if not isinstance(value, dict) or not isinstance(value.get("converted"), bool):
        raise InputError(f'{where}: \'outcome\' must be {{"converted": true|false, "at": ...}}')
    if not value["converted"]:
        return 0, None
    at = _json_time(value.get("at"), f"{where}: 'outcome.at'")
    return 1, at


def _json_time(value: object, where: str) -> float | None:
    if value is None:
        return None
    parsed: datetime | None = parse_datetime(value)
    if parsed is None:
        raise InputError(f"{where} is not an ISO-8601 time: {str(value)[:40]!r}")
    return parsed.timestamp()


def _activities(value: object, where: str) -> list[Activity]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: 'activities' must be a list")
    out: list[Activity] = []
    for i, act in enumerate(value):
        if not isinstance(act, dict) or not isinstance(act.get("type"), str):
            raise InputError(f"{where}: activities[{i}] needs a 'type'")
        at = _json_time(act.get("at"), f"{where}: activities[{i}].at")
        if at is None:
            continue
        target = act.get("url") or act.get("form") or act.get("asset") or act.get("kind")
        out.append(Activity(act["type"], at, str(target) if target is not None else None))
    return out


def data_now(rows: Sequence[Row]) -> float | None:
    """The newest time in the rows (activities, conversions): the moment a
    file's unconverted contacts are seen as of. None without any time."""
    times = [a.at for r in rows for a in r.activities[-1:]]
    times += [r.as_of for r in rows if r.as_of is not None]
    return max(times) if times else None


def conversion_lag(rows: Sequence[Row]) -> float | None:
    """The median time (seconds) from arrival to conversion of the converted
    rows that have both times; None when none has."""
    lags = sorted(r.as_of - r.time for r in rows if r.label == 1 and r.as_of and r.time)
    if not lags:
        return None
    mid = len(lags) // 2
    return lags[mid] if len(lags) % 2 else (lags[mid - 1] + lags[mid]) / 2.0


def decision_points(rows: Sequence[Row], lag: float | None, now: float | None) -> list[Row]:
    """``rows`` with each unconverted labelled row seen as of its arrival plus
    ``lag`` (capped at ``now``), so both classes are observed at a comparable
    age: a converted row is seen as of its conversion, and seeing the others
    as of today would make every old lead look stale. Other rows unchanged."""
    if lag is None:
        return list(rows)
    out: list[Row] = []
    for r in rows:
        if r.label == 0 and r.as_of is None and r.time is not None:
            seen = r.time + lag if now is None else min(r.time + lag, now)
            r = replace(r, as_of=seen)
        out.append(r)
    return out
