"""`syncd validate-model` (and every command loading a model) under hostile model files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syncd.cli import main
from syncd.cli.exit_codes import ExitCode

HEAD = "name: t\ntiers: [{name: low}, {name: high, min: 10}]\nmql_tier: high\n"


def validate(tmp_path: Path, text: str) -> tuple[Result, Path]:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["validate-model", str(path)]), path


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("rules: [{id: r, activity: x, points: .inf}]", "rules[0].points"),
        ("rules: [{id: r, activity: x, points: -.inf}]", "rules[0].points"),
        ("rules: [{id: r, activity: x, points: .nan}]", "rules[0].points"),
        (
            "rules: [{id: r, points: 1, when: {employees: {min: .inf}}}]",
            "rules[0].when.employees.min",
        ),
        ("rules: [{id: r, activity: x, points: 1, max_points: .inf}]", "rules[0].max_points"),
        ("inactivity: {after_days: .nan, points: -5}", "inactivity.after_days"),
    ],
)
def test_non_finite_numbers_are_errors_with_line_and_key(
    tmp_path: Path, body: str, key: str
) -> None:
    result, path = validate(tmp_path, HEAD + body + "\n")
    assert result.exit_code == ExitCode.FAILED
    assert f"{path}:4: {key}: must be a finite number" in result.stderr


def test_exponent_numbers_are_numbers(tmp_path: Path) -> None:
    body = (
        "rules: [{id: big, points: 1e3, when: {t: {exists: true}}},\n"
        "        {id: o, activity: x, points: 2E-1}]\n"
    )
    result, path = validate(tmp_path, HEAD + body)
    assert result.exit_code == 0, result.stderr
    leads = tmp_path / "in.jsonl"
    leads.write_text(json.dumps({"id": "a", "properties": {"t": "x"}}) + "\n")
    scored = CliRunner().invoke(
        main,
        ["score", "--model", str(path), "--input", str(leads), "--as-of", "2026-11-23T00:00:00Z"],
    )
    assert scored.exit_code == 0, scored.stderr
    assert json.loads(scored.stdout)["score"] == 1000


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    started = time.monotonic()
    result, path = validate(tmp_path, "\n".join(lines) + "\n")  # 81 aliases, 9**10 values
    assert time.monotonic() - started < 5
    assert result.exit_code == ExitCode.FAILED
    assert f"{path}: YAML refused: aliases expand it to more than 100,000 values" in (result.stderr)
    many = "x: &x 1\ny: [" + ", ".join(["*x"] * 101) + "]\n"
    result, path = validate(tmp_path, many)
    assert result.exit_code == ExitCode.FAILED
    assert f"{path}: YAML refused: more than 100 aliases" in result.stderr


def test_huge_model_file_is_refused(tmp_path: Path) -> None:
    result, path = validate(tmp_path, HEAD + "description: '" + "x" * 1_100_000 + "'\n")
    assert result.exit_code == ExitCode.FAILED
    assert f"{path}: file too large for a model" in result.stderr


def test_catastrophic_regex_warns_and_cannot_hang_scoring(tmp_path: Path) -> None:
    body = "rules: [{id: r, points: 5, when: {title: {regex: '(a+)+$'}}}]\n"
    result, path = validate(tmp_path, HEAD + body)
    assert result.exit_code == 0
    assert f"{path}:4: rules[0].when.title.regex: warning: '(a+)+$' repeats a group" in (
        result.stderr
    )
    leads = tmp_path / "in.jsonl"
    rows = [{"id": f"c{i}", "properties": {"title": "a" * (38 + i) + "!"}} for i in range(3)]
    leads.write_text("".join(json.dumps(r) + "\n" for r in rows))
    started = time.monotonic()
    scored = CliRunner().invoke(
        main,
        ["score", "--model", str(path), "--input", str(leads), "--as-of", "2026-11-23T00:00:00Z"],
    )
    assert time.monotonic() - started < 5
    assert scored.exit_code == 0, scored.stderr
    assert [json.loads(x)["score"] for x in scored.stdout.splitlines()] == [0, 0, 0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "rules: [{id: r, activity: x, points: 1, max_count: 0}]",
            "rules[0].max_count: must be a whole number ≥ 1",
        ),
        (
            "rules: [{id: r, activity: x, points: 1, max_count: 2.5}]",
            "rules[0].max_count: must be a whole number ≥ 1",
        ),
        (
            "rules: [{id: r, activity: x, points: 1, max_points: -3}]",
            "rules[0].max_points: must be greater than 0",
        ),
        (
            "account: {multi_stakeholder: {min_contacts: 1, within_days: 30, points: 5}}",
            "account.multi_stakeholder.min_contacts: must be a whole number ≥ 2",
        ),
        (
            "account: {score: {method: avg}}",
            "account.score.method: must be one of: 'top_k_sum', 'max'",
        ),
        ("rules: [{id: '', activity: x, points: 1}]", "rules[0].id: must not be empty"),
        (
            "rules: [{id: r, points: 1, when: {t: {exists: maybe}}}]",
            "rules[0].when.t.exists: must be true or false",
        ),
        ("rules: 5", "rules: must be a list"),
        ("account: [1]", "account: must be a mapping"),
    ],
)
def test_messages_are_in_our_words(tmp_path: Path, body: str, message: str) -> None:
    result, path = validate(tmp_path, HEAD + body + "\n")
    assert result.exit_code == ExitCode.FAILED
    assert f"{path}:4: {message}" in result.stderr
    assert "Input should" not in result.stderr
