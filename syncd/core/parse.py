"""``parse_model_data``: a parsed model document -> ``ModelSpec``, collecting EVERY issue.

Structural errors come from pydantic (all of them, each with its key path);
cross-field checks (tier order, unknown ``mql_tier``, duplicate rule ids,
missing or malformed attachments) run on the raw data independently, so one
pass reports everything. Each issue carries the YAML line of the key it names
(or of its nearest ancestor). Warnings (overlapping personas) do not stop a
model: they travel on ``ModelSpec.warnings``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from .errors import KeyPath as Path
from .errors import ModelError, ModelIssue, format_location
from .matchers import REGEX_TIMEOUT_S, may_backtrack
from .personas import check_buying_group, persona_overlaps
from .schema import Disqualifier, ModelSpec, Persona, PriorityRow, Rule

__all__ = ["parse_model_data", "parse_priority_csv"]

#: Whole-number keys and their least value (pydantic types them ``int``).
_WHOLE = {"max_count": 1, "min_activities": 1, "min_contacts": 2, "k": 1}
_INT_ERRORS = frozenset({"int_type", "int_parsing", "int_from_float", "greater_than_equal"})
_MESSAGES = {
    "extra_forbidden": "unknown key",
    "missing": "required key missing",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "must start with a letter or digit and hold only letters, "
    "digits, '_', '.' and '-'",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "dict_type": "must be a mapping (key: value lines)",
    "model_type": "must be a mapping (key: value lines)",
    "model_attributes_type": "must be a mapping (key: value lines)",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "too_short": "must list at least one item",
}


def _plain(x: object) -> object:
    """A bound as written by hand: 0 rather than 0.0."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _message(err: Mapping[str, Any]) -> str:
    """A pydantic error in the project's words."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    last = err["loc"][-1] if err["loc"] else None
    if kind in _INT_ERRORS and isinstance(last, str) and last in _WHOLE:
        return f"must be a whole number ≥ {_WHOLE[last]}"
    if kind == "greater_than":
        return f"must be greater than {_plain(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return f"must be at least {_plain(ctx.get('ge'))}"
    if kind == "literal_error":
        return f"must be one of: {ctx.get('expected', '').replace(' or ', ', ')}"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    return str(err["msg"]).removeprefix("Value error, ")


def _line(lines: Mapping[Path, int], path: Path) -> int | None:
    p = path
    while True:
        if p in lines:
            return lines[p]
        if not p:
            return None
        p = p[:-1]


def _issue(source: str, lines: Mapping[Path, int], path: Path, message: str) -> ModelIssue:
    return ModelIssue(source, format_location(path), _line(lines, path), message)


def parse_priority_csv(text: str) -> tuple[list[PriorityRow], list[str]]:
    """Parse a priority-account CSV. A header row is required naming at least
    one of ``id``, ``domain``, ``name`` (case-insensitive; other columns are
    ignored). Each data row needs one of them. Returns (rows, problems)."""
    reader = csv.reader(io.StringIO(text))
    rows: list[PriorityRow] = []
    problems: list[str] = []
    header: list[str] | None = None
    for lineno, record in enumerate(reader, start=1):
        if not any(cell.strip() for cell in record) or record[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip().lower() for c in record]
            if not {"id", "domain", "name"} & set(header):
                problems.append(f"line {lineno}: header must name id, domain and/or name")
                return rows, problems
            continue
        cells = {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header)}
        row = PriorityRow(
            id=cells.get("id") or None,
            domain=cells.get("domain") or None,
            name=cells.get("name") or None,
        )
        if row.id is None and row.domain is None and row.name is None:
            problems.append(f"line {lineno}: row has no id, domain or name")
            continue
        rows.append(row)
    if header is None:
        problems.append("file is empty (expected a header: id,domain,name)")
    return rows, problems


def _get(data: Any, *path: str | int) -> Any:
    cur = data
    for p in path:
        if isinstance(p, int):
            if not isinstance(cur, list) or p >= len(cur):
                return None
        elif not isinstance(cur, dict):
            return None
        cur = cur[p] if isinstance(p, int) else cur.get(p)
    return cur


def _cross_checks(
    data: dict[str, Any], attachments: Mapping[str, str], emit: Any, rows_out: list[PriorityRow]
) -> None:
    tiers = data.get("tiers")
    names: list[str] = []
    if isinstance(tiers, list):
        last: float | None = None
        for i, t in enumerate(tiers):
            if not isinstance(t, dict):
                continue
            name, mn = t.get("name"), t.get("min")
            if isinstance(name, str):
                if name in names:
                    emit(("tiers", i, "name"), f"duplicate tier name {name!r}")
                if name == "disqualified":
                    emit(("tiers", i, "name"), "'disqualified' is reserved for disqualifiers")
                names.append(name)
            if i > 0 and mn is None:
                emit(("tiers", i), "every tier after the first needs 'min'")
            if isinstance(mn, int | float) and not isinstance(mn, bool):
                if last is not None and mn <= last:
                    emit(("tiers", i, "min"), "tier thresholds must increase")
                last = float(mn)
    mql = data.get("mql_tier")
    if isinstance(mql, str) and names and mql not in names:
        emit(("mql_tier",), f"unknown tier {mql!r} (tiers: {', '.join(names)})")
    seen: dict[str, Path] = {}
    for block in ("rules", "disqualifiers"):
        items = data.get(block)
        if not isinstance(items, list):
            continue
        for i, r in enumerate(items):
            rid = r.get("id") if isinstance(r, dict) else None
            if isinstance(rid, str):
                if rid in seen:
                    emit(
                        (block, i, "id"),
                        f"duplicate rule id {rid!r} (first at {format_location(seen[rid])})",
                    )
                else:
                    seen[rid] = (block, i, "id")
    groups: dict[str, str] = {}
    rules = data.get("rules")
    for i, r in enumerate(rules if isinstance(rules, list) else []):
        if isinstance(r, dict) and isinstance(r.get("group"), str):
            kind = "activity" if r.get("activity") is not None else "property"
            if groups.setdefault(r["group"], kind) != kind:
                emit(("rules", i, "group"), "a group cannot mix property and activity rules")
    file = _get(data, "account", "priority", "file")
    if isinstance(file, str):
        where: Path = ("account", "priority", "file")
        if file not in attachments:
            emit(
                where,
                f"cannot read priority-account file {file!r} "
                "(paths are relative to the model file)",
            )
        else:
            rows, problems = parse_priority_csv(attachments[file])
            for p in problems:
                emit(where, f"{file}: {p}")
            rows_out.extend(rows)


def parse_model_data(
    data: Any,
    lines: Mapping[Path, int],
    source: str,
    attachments: Mapping[str, str] | None = None,
    issues: list[ModelIssue] | None = None,
) -> ModelSpec:
    """Validate a model document already parsed from YAML or JSON.

    ``lines`` maps key paths to 1-based source lines (may be empty);
    ``attachments`` maps each file path as written in the model (e.g.
    ``account.priority.file``) to its text; ``issues`` are problems the
    parser already found (duplicate keys). Raises ``ModelError`` listing
    every issue, ordered by line."""
    attachments = dict(attachments or {})
    issues = list(issues or [])
    if data is None and issues:
        raise ModelError(issues)
    if not isinstance(data, dict):
        raise ModelError([ModelIssue(source, "", 1, "a model must be a YAML mapping")])

    def emit(path: Path, message: str) -> None:
        issues.append(_issue(source, lines, path, message))

    spec: ModelSpec | None = None
    try:
        spec = ModelSpec.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            emit(tuple(err["loc"]), _message(err))
    rows: list[PriorityRow] = []
    _cross_checks(data, attachments, emit, rows)
    check_buying_group(data, emit)
    if issues or spec is None:
        issues.sort(key=lambda i: (i.line if i.line is not None else 0, i.location))
        raise ModelError(issues)
    file = spec.account.priority.file if spec.account.priority else None
    spec._attachments = {file: attachments[file]} if file else {}
    spec._priority_rows = tuple(rows)
    spec._warnings = tuple(_warnings(spec, source, lines))
    return spec


def _warnings(spec: ModelSpec, source: str, lines: Mapping[Path, int]) -> list[ModelIssue]:
    """Regexes that may backtrack catastrophically (see ``may_backtrack``);
    overlapping personas (see ``personas.persona_overlaps``)."""
    out: list[ModelIssue] = []
    bg = spec.account.buying_group
    blocks: list[tuple[Path, tuple[Rule | Disqualifier | Persona, ...]]] = [
        (("rules",), spec.rules),
        (("disqualifiers",), spec.disqualifiers),
        (("account", "buying_group", "personas"), bg.personas if bg is not None else ()),
    ]
    for block, items in blocks:
        for i, item in enumerate(items):
            for key, cond in item.when.items():
                for pattern in cond.regex or ():
                    if may_backtrack(pattern):
                        out.append(
                            _issue(
                                source,
                                lines,
                                (*block, i, "when", key, "regex"),
                                f"warning: {pattern!r} repeats a group that itself repeats, so a "
                                "search can take exponential time; searches are cut off after "
                                f"{REGEX_TIMEOUT_S * 1000:g} ms and then count as no match",
                            )
                        )
    if bg is not None:
        out += [
            _issue(source, lines, path, f"warning: {message}")
            for path, message in persona_overlaps(bg)
        ]
    return out
