"""`syncd score` and `syncd validate-model` on real files, through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "syncd" / "models" / "default.yaml"
LEADS = ROOT / "config" / "examples" / "leads.jsonl"
AS_OF = "2026-11-23T00:00:00Z"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines() if line.strip()]


def test_score_jsonl_keeps_input_order_and_contract(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        main,
        [
            "score",
            "--model",
            str(DEFAULT),
            "--input",
            str(LEADS),
            "--output",
            str(out),
            "--as-of",
            AS_OF,
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == _ids(LEADS)
    for row in rows:
        assert isinstance(row["score"], int)
        assert row["model"].startswith("default@")
        assert set(row["components"]) == {"fit", "engagement", "account"}
        assert row["tier"] in {"unqualified", "nurture", "mql", "hot", "disqualified"}
        assert len(row["summary"]) <= 255
    assert any(r["disqualified"] for r in rows)
    assert any(r["priority"] for r in rows)


def test_score_is_reproducible_for_fixed_as_of(runner: CliRunner) -> None:
    args = ["score", "--model", str(DEFAULT), "--input", str(LEADS), "--as-of", AS_OF]
    first, second = runner.invoke(main, args), runner.invoke(main, args)
    assert first.exit_code == 0
    assert first.stdout == second.stdout


def test_score_table_shows_tiers_and_reasons(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "score",
            "--model",
            str(DEFAULT),
            "--input",
            str(LEADS),
            "--as-of",
            AS_OF,
            "--format",
            "table",
        ],
    )
    assert result.exit_code == 0, result.output
    for word in ("score", "tier", "disqualified", "hot", "PRIORITY"):
        assert word in result.stdout


def test_bad_lines_are_reported_and_skipped(runner: CliRunner, tmp_path: Path) -> None:
    good = LEADS.read_text().splitlines()[:2]
    bad_input = tmp_path / "mixed.jsonl"
    bad_date = {"id": "a1", "activities": [{"type": "email_open", "at": "yesterday"}]}
    lines = [
        good[0],
        "{not json",
        json.dumps({"email": "x@y.z"}),
        good[1],
        json.dumps(bad_date),
        good[0],
    ]
    bad_input.write_text("\n".join(lines) + "\n")
    result = runner.invoke(
        main,
        ["score", "--model", str(DEFAULT), "--input", str(bad_input), "--as-of", AS_OF],
    )
    assert result.exit_code == 1
    assert f"{bad_input}:2: invalid JSON" in result.stderr
    assert f"{bad_input}:3: " in result.stderr and "id" in result.stderr
    assert f"{bad_input}:5: activities[0].at" in result.stderr
    assert f"{bad_input}:6: duplicate id" in result.stderr
    scored = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert scored == [json.loads(good[0])["id"], json.loads(good[1])["id"]]


def test_stdin_input(runner: CliRunner) -> None:
    line = LEADS.read_text().splitlines()[0]
    result = runner.invoke(
        main,
        ["score", "--model", str(DEFAULT), "--input", "-", "--as-of", AS_OF],
        input=line,
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == json.loads(line)["id"]


def test_unusable_model_or_input_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ntiers: [\n")
    result = runner.invoke(main, ["score", "--model", str(broken), "--input", str(LEADS)])
    assert result.exit_code == 2
    assert str(broken) in result.stderr
    missing = runner.invoke(
        main, ["score", "--model", str(DEFAULT), "--input", str(tmp_path / "nope.jsonl")]
    )
    assert missing.exit_code == 2
    assert "cannot read input" in missing.stderr
    bad_date = runner.invoke(
        main, ["score", "--model", str(DEFAULT), "--input", str(LEADS), "--as-of", "soon"]
    )
    assert bad_date.exit_code == 2 and "ISO-8601" in bad_date.stderr


def test_accounts_output(runner: CliRunner, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.jsonl"
    result = runner.invoke(
        main,
        [
            "score",
            "--model",
            str(DEFAULT),
            "--input",
            str(LEADS),
            "--as-of",
            AS_OF,
            "--accounts-output",
            str(accounts),
        ],
    )
    assert result.exit_code == 0
    rows = [json.loads(line) for line in accounts.read_text().splitlines()]
    assert rows and all("account_key" in r and isinstance(r["score"], int | float) for r in rows)


def test_validate_model_ok_and_broken(runner: CliRunner, tmp_path: Path) -> None:
    ok = runner.invoke(main, ["validate-model", str(DEFAULT)])
    assert ok.exit_code == 0 and "default@" in ok.stdout
    broken = tmp_path / "broken.yaml"
    text = DEFAULT.read_text()
    broken.write_text(
        text.replace("half_life_days: 90", "half_life_days: -5", 1) + "\nbogus_top_level_key: 1\n"
    )
    result = runner.invoke(main, ["validate-model", str(broken)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(broken) + ":")]
    assert len(lines) >= 3  # two errors + the summary line
    assert any("bogus_top_level_key" in line for line in lines)
    assert any("half_life" in line for line in lines)


def test_every_shipped_model_validates(runner: CliRunner) -> None:
    for model in sorted((ROOT / "syncd" / "models").glob("*.yaml")):
        result = runner.invoke(main, ["validate-model", str(model)])
        assert result.exit_code == 0, (model, result.output)


def test_python_dash_m_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "syncd", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "score" in done.stdout and "validate-model" in done.stdout and "sandbox" in done.stdout
