"""`syncd backtest --data`: on generated contacts whose outcomes depend on
title, industry and pricing-page visits (tests/kit/outcome_data.py), a model
scoring those signals ranks above one that does not; a capacity gets a
threshold that meets it; nothing after the cut and no excluded property
changes the result; bad input is named by file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from syncd.cli import main
from tests.kit.outcome_data import BLIND_MODEL, SIGNAL_MODEL, outcome_contacts, write_jsonl

CUT = "2026-06-01T00:00:00Z"


@pytest.fixture
def models(tmp_path: Path) -> tuple[Path, Path]:
    signal = tmp_path / "signals.yaml"
    blind = tmp_path / "blind.yaml"
    signal.write_text(SIGNAL_MODEL, encoding="utf-8")
    blind.write_text(BLIND_MODEL, encoding="utf-8")
    return signal, blind


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["backtest", *map(str, args)])


def _json(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_model_scoring_the_signals_wins(tmp_path: Path, models: tuple[Path, Path]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", outcome_contacts(600, seed=11))
    signal, blind = models
    got = _json(
        _run(
            "--data",
            data,
            "--model",
            signal,
            "--model",
            blind,
            "--as-of",
            CUT,
            "--capacity",
            "8/week",
            "--json",
        )
    )
    s, b = got
    assert s["model"].startswith("signals@") and b["model"].startswith("blind@")
    assert s["contacts"] == b["contacts"] > 500 and s["positives"] == b["positives"] >= 10
    assert s["roc_auc"] > b["roc_auc"] + 0.15
    assert s["top_decile_lift"] > b["top_decile_lift"] + 0.5
    chosen = s["for_capacity"]
    assert s["suggested_threshold"] == chosen["threshold"]
    assert 0 < chosen["per_week"] <= 8
    # the next lower threshold would exceed the capacity: the suggestion is the lowest that fits
    lower = [t for t in s["trade_offs"] if t["threshold"] == chosen["threshold"] - 1]
    assert lower and lower[0]["per_week"] > 8
    # and the suggestion is a precision/volume trade the table shows
    assert chosen["precision"] > s["conversion"]


def test_terminal_output_compares_the_models(tmp_path: Path, models: tuple[Path, Path]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", outcome_contacts(300, seed=3))
    result = _run("--data", data, "--model", models[0], "--model", models[1], "--as-of", CUT)
    assert result.exit_code == 0, result.output
    for text in (
        "models compared (first: champion)",
        "ROC-AUC",
        "top-decile lift",
        "conversion by score decile",
        "tiers (precision = conversion)",
        "MQL threshold trade-off",
        "suggested points are only a suggestion",
    ):
        assert text in result.stdout


def test_no_activity_after_the_cut_and_no_leaked_property_changes_anything(
    tmp_path: Path, models: tuple[Path, Path]
) -> None:
    clean = write_jsonl(tmp_path / "clean.jsonl", outcome_contacts(300, seed=5))
    leaky = write_jsonl(
        tmp_path / "leaky.jsonl", outcome_contacts(300, seed=5, leak=True, post_cut=True)
    )
    assert clean.read_text() != leaky.read_text()
    # a model that would love both the leak and the post-cut visits
    greedy = tmp_path / "greedy.yaml"
    greedy.write_text(
        SIGNAL_MODEL.replace("name: signals", "name: greedy")
        + "  - id: stage\n    points: 100\n    when: {lifecyclestage: opportunity}\n",
        encoding="utf-8",
    )
    runs = [
        _json(_run("--data", f, "--model", greedy, "--model", models[0], "--as-of", CUT, "--json"))
        for f in (clean, leaky)
    ]
    assert runs[0] == runs[1]
    assert all(r["rule"] != "stage" for r in runs[1][0]["rules"])
    # without the guard, the leak is there and is warned about by name
    unguarded = _run(
        "--data",
        leaky,
        "--model",
        greedy,
        "--as-of",
        CUT,
        "--json",
        "--no-default-exclusions",
    )
    assert unguarded.exit_code == 0, unguarded.output
    (obj,) = _json(unguarded)
    assert obj["roc_auc"] > 0.95 and "stage" in obj["leaks"]
    assert "rule 'stage' alone separates the outcomes" in unguarded.stderr


def test_default_cut_is_the_window_before_the_newest_date(
    tmp_path: Path, models: tuple[Path, Path]
) -> None:
    rows = outcome_contacts(200, seed=8)
    # the generated outcomes end before 2026-08-29 (cut + 89 days): this is the newest date
    rows[0]["activities"].append({"type": "email_open", "at": "2026-08-30T00:00:00Z"})
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    (obj,) = _json(_run("--data", data, "--model", models[0], "--window", "90d", "--json"))
    assert obj["cut"] == "2026-06-01T00:00:00+00:00" and obj["window_days"] == 90


def test_too_few_outcomes_is_a_clear_message(tmp_path: Path, models: tuple[Path, Path]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", outcome_contacts(25, seed=2))
    result = _run("--data", data, "--model", models[0], "--as-of", CUT)
    assert result.exit_code == 1
    assert result.stderr.startswith("too few outcomes to judge: a backtest needs at least 10")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "d.jsonl:2: not JSON"),
        ('{"id": "x"}', "d.jsonl:2: no 'outcome'"),
        (
            '{"id": "x", "outcome": {"converted": "yes"}}',
            "'outcome.converted' must be true or false",
        ),
        ('{"id": "x", "outcome": {"converted": true}}', "'outcome.at' must be an ISO-8601"),
        ('{"outcome": {"converted": false}}', "d.jsonl:2: "),
        ("[1]", "d.jsonl:2: a line must be one JSON object"),
    ],
)
def test_bad_lines_name_file_and_line(
    tmp_path: Path, models: tuple[Path, Path], line: str, message: str
) -> None:
    good = json.dumps({"id": "ok", "outcome": {"converted": False}})
    data = tmp_path / "d.jsonl"
    data.write_text(f"{good}\n{line}\n", encoding="utf-8")
    result = _run("--data", data, "--model", models[0], "--as-of", CUT)
    assert result.exit_code == 2
    assert message in result.stderr and "1 bad line(s)" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give exactly one of --connector NAME or --data FILE"),
        (("--data", "d.jsonl"), "--data needs at least one --model"),
        (("--data", "d.jsonl", "--model", "M", "--capacity", "lots"), "is not a capacity"),
        (("--data", "d.jsonl", "--model", "M", "--window", "3 months"), "is not a duration"),
        (("--data", "d.jsonl", "--model", "M", "--as-of", "yesterday"), "is not an ISO-8601"),
        (("--data", "missing.jsonl", "--model", "M"), "missing.jsonl: cannot read"),
        (("--data", "d.jsonl", "--model", "nope.yaml"), "nope.yaml"),
    ],
)
def test_cli_errors(
    tmp_path: Path,
    models: tuple[Path, Path],
    args: tuple[str, ...],
    message: str,
) -> None:
    write_jsonl(tmp_path / "d.jsonl", outcome_contacts(50, seed=1))
    named = {"M": str(models[0]), "d.jsonl": str(tmp_path / "d.jsonl")}
    named |= {"missing.jsonl": str(tmp_path / "missing.jsonl")}
    result = _run(*(named.get(a, a) for a in args))
    assert result.exit_code in (1, 2), result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_the_example_file_is_the_documented_generator_output() -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "examples" / "backtest.jsonl"
    rows = outcome_contacts(500, seed=1)
    assert example.read_text(encoding="utf-8") == "".join(json.dumps(r) + "\n" for r in rows)


def test_html_page_is_self_contained(tmp_path: Path, models: tuple[Path, Path]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", outcome_contacts(200, seed=9))
    page = tmp_path / "bt.html"
    args = ("--data", data, "--model", models[0], "--model", models[1], "--as-of", CUT)
    result = _run(*args, "--html", page, "--capacity", "5/week")
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.count("<h2>") == 2 and "signals@" in html and "blind@" in html
    assert "conversion by score decile" in html and "src=" not in html and "href=" not in html
