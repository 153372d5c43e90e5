"""Model validation: every error, with its location and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.core import ModelError, ModelIssue
from syncd.modelfile import load_model, parse_model

BROKEN = """\
name: bad model
tiers:
  - name: low
  - name: mid
    min: 50
  - name: high
    min: 40
mql_tier: mqll
rules:
  - id: a
    points: ten
    when:
      title: {regex: '(unclosed'}
  - id: a
    activity: page_view
    points: 5
    when:
      url: {contians: /pricing}
  - id: c
    points: 1
    max_count: 3
    when: {x: 1}
  - id: d
    activity: page_view
    points: 1
    max_count: 0
    half_life_days: -4
velocity: {min_activities: 3, points: 5}
surprise: 1
"""


def file_issues(path: Path) -> list[ModelIssue]:
    with pytest.raises(ModelError) as exc:
        load_model(path)
    return exc.value.issues


def issues_of(text: str, attachments: dict[str, str] | None = None) -> list[ModelIssue]:
    with pytest.raises(ModelError) as exc:
        parse_model(text, "bad.yaml", attachments or {})
    return exc.value.issues


def test_broken_model_lists_every_error_with_location_and_line() -> None:
    issues = issues_of(BROKEN)
    found = {(i.location, i.line) for i in issues}
    expected = {
        ("name", 1),
        ("tiers[2].min", 7),
        ("mql_tier", 8),
        ("rules[0].points", 11),
        ("rules[0].when.title.regex", 13),
        ("rules[1].id", 14),
        ("rules[1].when.url.contians", 18),
        ("rules[2]", 19),
        ("rules[3].max_count", 26),
        ("rules[3].half_life_days", 27),
        ("velocity.within_days", 28),
        ("surprise", 29),
    }
    assert expected <= found, sorted(found)
    assert all(i.source == "bad.yaml" for i in issues)
    msgs = {i.location: i.message for i in issues}
    assert "unknown key" in msgs["surprise"]
    assert "invalid regular expression" in msgs["rules[0].when.title.regex"]
    assert "duplicate rule id" in msgs["rules[1].id"]
    assert "unknown tier 'mqll'" in msgs["mql_tier"]
    assert "only apply to activity rules" in msgs["rules[2]"]
    assert str(issues[0]).startswith("bad.yaml:1: name: ")


def test_yaml_syntax_error_gives_line() -> None:
    issues = issues_of("name: x\ntiers:\n  - name: a\n   bad: [\n")
    assert len(issues) == 1
    assert issues[0].line is not None and issues[0].line >= 4
    assert "YAML syntax error" in issues[0].message


def test_duplicate_yaml_key_reported() -> None:
    issues = issues_of("name: x\nname: y\ntiers: [{name: a}]\nmql_tier: a\n")
    assert [(i.location, i.line, i.message) for i in issues] == [("name", 2, "duplicate key")]


def test_missing_required_keys() -> None:
    locs = {i.location for i in issues_of("description: nothing else\n")}
    assert {"name", "tiers", "mql_tier"} <= locs


def test_missing_attachment_and_bad_csv() -> None:
    text = (
        "name: x\ntiers: [{name: a}]\nmql_tier: a\n"
        "account:\n  priority:\n    points: 5\n    file: prio.csv\n"
    )
    (issue,) = issues_of(text)
    assert (issue.location, issue.line) == ("account.priority.file", 7)
    assert "prio.csv" in issue.message
    (issue,) = issues_of(text, {"prio.csv": "company\nacme\n"})
    assert "header" in issue.message


def test_modelfile_reads_csv_relative_and_names_file(tmp_path: Path) -> None:
    sub = tmp_path / "models"
    sub.mkdir()
    model = sub / "m.yaml"
    model.write_text(
        "name: m\ntiers: [{name: a}]\nmql_tier: a\n"
        "account:\n  priority:\n    points: 5\n    file: lists/p.csv\n"
    )
    issues = file_issues(model)
    assert [(i.source, i.location) for i in issues] == [(str(model), "account.priority.file")]
    (sub / "lists").mkdir()
    (sub / "lists" / "p.csv").write_text("id\n001\n")
    assert load_model(model).priority_ids == frozenset({"001"})


def test_missing_model_file(tmp_path: Path) -> None:
    issues = file_issues(tmp_path / "nope.yaml")
    assert len(issues) == 1 and "cannot read model file" in issues[0].message
