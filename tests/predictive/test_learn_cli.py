"""`syncd learn` and `syncd score --predictive` on shipped and generated data:
held-out figures and report, the leakage guard, the minimum-data check, and
scoring that reproduces the held-out probabilities learn reported."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from syncd.cli import main
from syncd.modelfile import SHIPPED_DIR
from tests.predictive.synth import write_csv, write_jsonl

BANK = Path(__file__).parents[1] / "data" / "bank-marketing-sample.csv"


def _learn(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["learn", *args])
    return r.exit_code, r.stdout, r.stderr


def test_bank_order_split_report_and_reproducible_scores(tmp_path: Path) -> None:
    model, report = tmp_path / "bank.json", tmp_path / "report"
    code, out, err = _learn(
        "--data", str(BANK), "--label", "y", "--drop", "duration", "--split", "order",
        "--out", str(model), "--report", str(report),
    )  # fmt: skip
    assert code == 0, err
    assert "order split: the last 20% of rows of the file held out" in out
    assert "1131 labelled rows (123 positive)" in out
    saved = json.loads(model.read_text(encoding="utf-8"))
    assert saved["format"] == "syncd-predictive-model" and saved["version"] == 1
    assert "duration" not in {c["name"] for c in saved["features"]["columns"]}
    assert saved["metrics"]["holdout"]["roc_auc"] > 0.55
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "order split" in page and page.count("<svg") == 3 and "Feature importance" in page

    r = CliRunner().invoke(main, ["score", "--predictive", str(model), "--input", str(BANK)])
    assert r.exit_code == 0, r.stderr
    scored = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(scored) == 1131
    assert all(0.0 <= s["probability"] <= 1.0 and len(s["top"]) == 3 for s in scored)
    by_id = {s["id"]: s["probability"] for s in scored}
    with open(report / "holdout.csv", encoding="utf-8") as f:
        holdout = list(csv.DictReader(f))
    assert len(holdout) == 226
    assert all(abs(by_id[h["id"]] - float(h["probability"])) < 1e-6 for h in holdout)


def test_leakage_guard_names_and_excludes_unless_kept(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "leads.csv", delimiter=";")
    model = tmp_path / "m.json"
    code, out, err = _learn(
        "--data", str(data), "--label", "Signed", "--id", "Lead", "--out", str(model)
    )
    assert code == 0, err
    assert "'Lead Status' known to be set at or after conversion; excluded" in err
    assert "'Close Reason' alone separates the outcome (ROC-AUC" in err
    assert "where it is filled in" in err
    columns = {c["name"] for c in json.loads(model.read_text())["features"]["columns"]}
    assert {"Title", "Industry", "Employees"} <= columns
    assert not columns & {"Lead Status", "Close Reason", "Lead", "Signed"}
    assert "stratified random split (seed 7)" in out

    code, _, err = _learn(
        "--data", str(data), "--label", "Signed", "--id", "Lead", "--out", str(model),
        "--keep", "Lead Status",
    )  # fmt: skip
    assert code == 0
    assert "'Lead Status' known to be set at or after conversion; kept (--keep)" in err
    saved = json.loads(model.read_text())
    assert "Lead Status" in {c["name"] for c in saved["features"]["columns"]}
    assert [x["name"] for x in saved["excluded"]] == ["Close Reason"]


def test_jsonl_activities_time_split_and_as_of_cut(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "c.jsonl")
    model = tmp_path / "m.json"
    report = tmp_path / "report"
    code, out, err = _learn("--data", str(data), "--out", str(model), "--report", str(report))
    assert code == 0, err
    assert "time split: the newest 20% of rows (by time) held out" in out
    columns = {c["name"] for c in json.loads(model.read_text())["features"]["columns"]}
    assert {"activity.page_view", "url./pricing", "activity.days_since_last"} <= columns
    assert {"account.engaged_stakeholders", "account.priority"} <= columns
    assert "activity.meeting" not in columns  # only ever after a conversion
    assert json.loads(model.read_text())["metrics"]["holdout"]["roc_auc"] > 0.6
    assert "leakage guard" not in err
    r = CliRunner().invoke(main, ["score", "--predictive", str(model), "--input", str(data)])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 400
    by_id = {s["id"]: s["probability"] for s in map(json.loads, r.stdout.splitlines())}
    with open(report / "holdout.csv", encoding="utf-8") as f:
        holdout = list(csv.DictReader(f))
    assert len(holdout) == 80
    assert all(abs(by_id[h["id"]] - float(h["probability"])) < 1e-6 for h in holdout)


def test_minimum_data_check(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "few.csv", n=60)
    code, _, err = _learn("--data", str(data), "--label", "Signed", "--out", str(tmp_path / "m"))
    assert code == 1
    assert "not enough labelled data to learn and judge a model: 60 labelled rows" in err
    assert "needed at least 100 labelled rows with 20 positives and 20 negatives" in err
    assert "Traceback" not in err and not (tmp_path / "m").exists()


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a;y\n1;yes\n\xff;no\n")
    code, _, err = _learn("--data", str(bad), "--label", "y", "--out", str(tmp_path / "m"))
    assert code == 1
    assert err.strip() == f"{bad}:3: not UTF-8 text (byte 0xff); " + (
        "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)"
    )
    code, _, err = _learn("--data", str(bad), "--out", str(tmp_path / "m"))
    assert code == 2 and "--label COLUMN is needed with a CSV file" in err
    code, _, err = _learn("--out", str(tmp_path / "m"))
    assert code == 2 and "give either --data FILE or --connector NAME" in err


def test_score_predictive_rejects_a_non_model(tmp_path: Path) -> None:
    fake = tmp_path / "m.json"
    fake.write_text('{"format": "pickle"}', encoding="utf-8")
    r = CliRunner().invoke(main, ["score", "--predictive", str(fake), "--input", str(BANK)])
    assert r.exit_code == 2
    assert "not a syncd predictive model" in r.stderr


def test_learn_without_scikit_learn_says_what_to_install(tmp_path: Path) -> None:
    blocker = tmp_path / "block" / "sklearn"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "block")}
    args = ["--data", str(BANK), "--label", "y", "--out", str(tmp_path / "m.json")]
    done = subprocess.run(
        [sys.executable, "-m", "syncd", "learn", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "syncd learn needs scikit-learn, which is not installed: pip install 'syncd[predictive]'"
    )


def test_points_model_components_are_features(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "c.jsonl")
    points = tmp_path / "points.yaml"
    points.write_text((SHIPPED_DIR / "default.yaml").read_text(encoding="utf-8"))
    accounts = (SHIPPED_DIR / "priority-accounts.csv").read_text(encoding="utf-8")
    (tmp_path / "priority-accounts.csv").write_text(accounts)
    model, report = tmp_path / "m.json", tmp_path / "report"
    code, _, err = _learn(
        "--data", str(data), "--model", str(points), "--out", str(model), "--report", str(report)
    )
    assert code == 0, err
    saved = json.loads(model.read_text())
    columns = {c["name"] for c in saved["features"]["columns"]}
    assert {"points.fit", "points.engagement", "points.exact"} <= columns
    assert saved["training"]["points_model"]["ref"].startswith("default@")
    r = CliRunner().invoke(main, ["score", "--predictive", str(model), "--input", str(data)])
    assert r.exit_code == 0, r.stderr
    by_id = {s["id"]: s["probability"] for s in map(json.loads, r.stdout.splitlines())}
    with open(report / "holdout.csv", encoding="utf-8") as f:
        assert all(abs(by_id[h["id"]] - float(h["probability"])) < 1e-6 for h in csv.DictReader(f))

    points.write_text(points.read_text().replace("points: 20", "points: 21", 1))
    r = CliRunner().invoke(main, ["score", "--predictive", str(model), "--input", str(data)])
    assert r.exit_code == 2
    assert f"trained with points model {saved['training']['points_model']['ref']}, but" in r.stderr
    assert f"(retrain: syncd learn --model {points})" in r.stderr


def test_if_better_keeps_a_better_old_model(tmp_path: Path) -> None:
    model = tmp_path / "m.json"
    base = ["--data", str(BANK), "--label", "y", "--out", str(model)]
    assert _learn(*base, "--drop", "duration")[0] == 0
    before = model.read_text(encoding="utf-8")
    weak = "duration,job,marital,education,default,balance,housing,loan,contact,day,month,"
    weak += "campaign,pdays,previous,poutcome"
    code, out, err = _learn(*base, "--drop", weak, "--if-better")
    assert code == 0, err
    assert f"kept {model}: the new model is worse (held-out ROC-AUC " in out
    assert "nothing written" in out and "model written" not in out
    assert model.read_text(encoding="utf-8") == before
    code, out, _ = _learn(*base, "--drop", "duration", "--if-better")
    assert code == 0
    assert f"the new model replaces {model}: held-out ROC-AUC " in out and "≥" in out


def test_semicolons_yes_no_missing_values_and_a_huge_cell(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "leads.csv", delimiter=";")
    big = "x" * 100_000
    with open(data, "a", encoding="utf-8") as f:
        f.write(f"L9999;{big};Technology;;US;0;Open;;no\n")
    model = tmp_path / "m.json"
    code, out, err = _learn(
        "--data", str(data), "--label", "Signed", "--id", "Lead", "--out", str(model)
    )
    assert code == 0, err
    assert "601 labelled rows" in out
    r = CliRunner().invoke(main, ["score", "--predictive", str(model), "--input", str(data)])
    assert r.exit_code == 0, r.stderr
    line = r.stdout.splitlines()[-1]
    assert json.loads(line)["id"] == "L9999" and len(line) < 1000  # the cell is never echoed


def test_jsonl_line_separator_inside_a_string_is_not_a_line_break(tmp_path: Path) -> None:
    from syncd.predictive.io import read_rows

    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "1", "properties": {"title": "VP\u2028Sales"}}\n', encoding="utf-8")
    assert read_rows(path, None)[0].properties["title"] == "VP\u2028Sales"
