"""Buying groups through the CLI: the README's worked example is the real
output of ``syncd score --accounts-output``; model warnings are printed with
file, line and key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from syncd.cli import main
from syncd.modelfile import load_model, parse_model

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "config" / "examples" / "buying-group.yaml"
INPUT = ROOT / "config" / "examples" / "buying-group.jsonl"
AS_OF = "2026-11-23T00:00:00Z"


def _readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### Buying groups")
    return text[start : text.index("\n## ", start)]


def _fenced(section: str, lang: str) -> str:
    m = re.search(rf"```{lang}\n(.*?)```", section, re.S)
    assert m is not None, lang
    return m.group(1)


def test_readme_example_is_the_real_output(tmp_path: Path) -> None:
    out, accounts = tmp_path / "out.jsonl", tmp_path / "accounts.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "score",
            "--model",
            str(MODEL),
            "--input",
            str(INPUT),
            "--as-of",
            AS_OF,
            "--output",
            str(out),
            "--accounts-output",
            str(accounts),
        ],
    )
    assert result.exit_code == 0, result.output
    section = _readme_section()
    assert _fenced(section, "console").splitlines()[1:] == accounts.read_text().splitlines()
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    table = re.findall(r"^\| (\w+) \([^)]*\) \| (\w+) \| (\d+) \| (.*) \|$", section, re.M)
    assert [(r["id"], r["persona"], str(r["score"])) for r in rows] == [t[:3] for t in table]
    for r, t in zip(rows, table, strict=True):
        shown = re.sub(r" \(.*\)$", "", t[3])
        got = [
            f"{x['rule']} +{x['points']}"
            for x in r["reasons"]
            if x["rule"].startswith("buying_group")
        ]
        assert shown == ", ".join(got)


def test_readme_yaml_is_the_example_models_buying_group() -> None:
    shown = yaml.safe_load(_fenced(_readme_section(), "yaml"))
    text = MODEL.read_text(encoding="utf-8")
    head = text[: text.index("account:")]
    from_readme = parse_model(head + yaml.safe_dump(shown), "README.md", {})
    assert from_readme.account == load_model(MODEL).spec.account


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_validate_model_prints_warnings_and_stays_ok(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(
        MODEL.read_text(encoding="utf-8").replace(
            "      - id: end_user",
            "      - {id: cfo_again, when: {title: CFO}}\n      - id: end_user",
        )
    )
    result = CliRunner().invoke(main, ["validate-model", str(model)])
    assert result.exit_code == 0
    (warning,) = [line for line in result.stderr.splitlines() if "warning" in line]
    line = _line_of(model.read_text(), "cfo_again")
    assert warning.startswith(
        f"{model}:{line}: account.buying_group.personas[3]: warning: "
        "personas 'economic_buyer' and 'cfo_again' overlap"
    )
    assert result.stdout.strip().endswith(f"{model}: ok ({load_model(model).ref})")
    scored = CliRunner().invoke(
        main, ["score", "--model", str(model), "--input", str(INPUT), "--as-of", AS_OF]
    )
    assert scored.exit_code == 0 and "cfo_again" in scored.stderr


def test_validate_model_reports_unknown_persona_with_line(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(
        MODEL.read_text(encoding="utf-8").replace(
            "engaged: economic_buyer", "engaged: economic_buyr"
        )
    )
    result = CliRunner().invoke(main, ["validate-model", str(model)])
    assert result.exit_code == 1
    line = _line_of(model.read_text(), "economic_buyr")
    assert (
        f"{model}:{line}: account.buying_group.points[1].engaged: unknown persona 'economic_buyr'"
    ) in result.stderr
