"""`syncd score` under hostile input: every case names its line, nothing stops the run."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from syncd.cli import SyncdGroup, main
from syncd.cli.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "syncd" / "models" / "default.yaml"
AS_OF = "2026-11-23T00:00:00Z"
GOOD = [json.dumps({"id": f"c{i}", "properties": {"title": "CEO"}}).encode() for i in range(3)]


def score_file(tmp_path: Path, data: bytes, *extra: str) -> tuple[Result, Path]:
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    args = ["score", "--model", str(DEFAULT), "--input", str(path), "--as-of", AS_OF, *extra]
    return CliRunner().invoke(main, args), path


def score_stdin(data: bytes) -> Result:
    args = ["score", "--model", str(DEFAULT), "--input", "-", "--as-of", AS_OF]
    return CliRunner().invoke(main, args, input=data)


def scored_ids(result: Result) -> list[str]:
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def test_bom_is_ignored_in_a_file_and_on_stdin(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + b"\n".join(GOOD) + b"\n"
    result, _ = score_file(tmp_path, data)
    assert result.exit_code == 0, result.stderr
    assert scored_ids(result) == ["c0", "c1", "c2"]
    piped = score_stdin(data)
    assert piped.exit_code == 0, piped.stderr
    assert scored_ids(piped) == ["c0", "c1", "c2"]


def test_invalid_utf8_rejects_only_its_line(tmp_path: Path) -> None:
    bad = b'{"id": "x", "email": "caf\xe9@x.io"}'
    data = b"\n".join([GOOD[0], bad, GOOD[1]]) + b"\n"
    result, path = score_file(tmp_path, data)
    assert result.exit_code == ExitCode.FAILED
    assert f"{path}:2: invalid UTF-8 at byte 26" in result.stderr
    assert scored_ids(result) == ["c0", "c1"]
    piped = score_stdin(data)
    assert piped.exit_code == ExitCode.FAILED
    assert "<stdin>:2: invalid UTF-8 at byte 26" in piped.stderr
    assert scored_ids(piped) == ["c0", "c1"]


def test_lone_surrogate_is_a_rejected_line(tmp_path: Path) -> None:
    data = b"\n".join([GOOD[0], rb'{"id": "x\ud800"}', GOOD[1]]) + b"\n"
    result, path = score_file(tmp_path, data)
    assert result.exit_code == ExitCode.FAILED
    assert f"{path}:2: invalid Unicode: a lone surrogate" in result.stderr
    assert scored_ids(result) == ["c0", "c1"]
    # an escaped backslash before "ud800" is plain text
    fine, _ = score_file(tmp_path, rb'{"id": "x\\ud800"}' + b"\n")
    assert fine.exit_code == 0 and scored_ids(fine) == ["x\\ud800"]


def test_absurd_nesting_is_a_rejected_line(tmp_path: Path) -> None:
    deep = b'{"id": "d", "properties": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    result, path = score_file(tmp_path, b"\n".join([GOOD[0], deep, GOOD[1]]) + b"\n")
    assert result.exit_code == ExitCode.FAILED
    assert f"{path}:2: nesting too deep" in result.stderr
    assert scored_ids(result) == ["c0", "c1"]


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf\n"])
def test_empty_input_says_so_and_exits_0(tmp_path: Path, data: bytes) -> None:
    result, path = score_file(tmp_path, data)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"{path}: no contacts in input" in result.stderr
    piped = score_stdin(data)
    assert piped.exit_code == 0 and "<stdin>: no contacts in input" in piped.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"id": "   "}, "id: required, a non-empty string"),
        ({"id": "e", "email": 42}, "email: must be a string"),
        ({"id": "e", "email": {"a": 1}}, "email: must be a string"),
    ],
)
def test_blank_id_and_non_string_email_are_rejected(
    tmp_path: Path, line: dict[str, object], message: str
) -> None:
    result, path = score_file(tmp_path, json.dumps(line).encode() + b"\n" + GOOD[0] + b"\n")
    assert result.exit_code == ExitCode.FAILED
    assert f"{path}:1: {message}" in result.stderr
    assert scored_ids(result) == ["c0"]


def test_unknown_top_level_key_is_a_warning(tmp_path: Path) -> None:
    line = json.dumps({"id": "p", "propertis": {"title": "CEO"}}).encode()
    result, path = score_file(tmp_path, line + b"\n")
    assert result.exit_code == 0
    assert f"{path}:1: warning: unknown key 'propertis' ignored" in result.stderr
    assert scored_ids(result) == ["p"]


def test_unwritable_output_is_reported_before_scoring(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.jsonl"
    result, path = score_file(tmp_path, b"{not json\n" + GOOD[0] + b"\n", "--output", str(target))
    assert result.exit_code == ExitCode.UNUSABLE
    assert f"{target}: cannot write output" in result.stderr
    assert f"{path}:1" not in result.stderr  # nothing was read
    accounts, _ = score_file(tmp_path, GOOD[0] + b"\n", "--accounts-output", str(target))
    assert accounts.exit_code == ExitCode.UNUSABLE
    assert f"{target}: cannot write accounts output" in accounts.stderr


def test_table_format_limits_rows_and_counts_every_tier(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"t{i}"}).encode() for i in range(30)]
    result, _ = score_file(
        tmp_path, b"\n".join(lines) + b"\n", "--format", "table", "--table-rows", "5"
    )
    assert result.exit_code == 0, result.stderr
    assert "t4" in result.stdout and "t5 " not in result.stdout
    assert "unqualified: 30" in result.stdout
    assert "first 5 of 30 contacts shown" in result.stdout


def _group_with(exc: BaseException) -> click.Group:
    @click.group(cls=SyncdGroup)
    def cli() -> None:
        pass

    @cli.command()
    def boom() -> None:
        raise exc

    return cli


def test_a_bug_exits_internal_never_1() -> None:
    result = CliRunner().invoke(_group_with(ZeroDivisionError("oops")), ["boom"])
    assert result.exit_code == ExitCode.INTERNAL
    assert "internal error: ZeroDivisionError: oops" in result.stderr
    assert "please report" in result.stderr


def test_ctrl_c_exits_interrupted() -> None:
    result = CliRunner().invoke(_group_with(KeyboardInterrupt()), ["boom"])
    assert result.exit_code == ExitCode.INTERRUPTED
