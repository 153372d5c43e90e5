"""`syncd sandbox`: argument errors, and a real foreground run in a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request

import pytest
from click.testing import CliRunner

from syncd.cli import main


def test_bad_fault_spec_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["sandbox", "hubspot", "--faults", "429=lots"])
    assert result.exit_code == 2
    assert "--faults" in result.stderr and "not a number" in result.stderr


def _run_foreground(crm: str, *extra: str) -> dict[str, object]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncd", "sandbox", crm, "--contacts", "50", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert url, first
        auth = proc.stdout.readline()
        assert auth.startswith("auth:")
        with urllib.request.urlopen(f"{url.group(0)}/__sandbox/stats", timeout=10) as answer:
            stats: dict[str, object] = json.load(answer)
        return stats
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_hubspot_sandbox_runs_in_foreground() -> None:
    stats = _run_foreground("hubspot", "--tier", "pro", "--faults", "429=0.1")
    objects = stats["objects"]
    assert isinstance(objects, dict) and objects.get("contacts", 0) > 0


def test_salesforce_sandbox_runs_in_foreground() -> None:
    stats = _run_foreground("salesforce", "--latency-ms", "1")
    objects = stats["objects"]
    assert isinstance(objects, dict) and sum(int(v) for v in objects.values()) >= 50


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["sandbox", "hubspot", "--contacts", "-5"], "'--contacts'"),
        (["sandbox", "salesforce", "--port", "70000"], "'--port'"),
        (["sandbox", "hubspot", "--latency-ms", "-1"], "'--latency-ms'"),
        (["demo", "--contacts", "0"], "'--contacts'"),
    ],
)
def test_bad_numbers_are_usage_errors(args: list[str], option: str) -> None:
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2
    assert f"Invalid value for {option}" in r.output
    assert "Traceback" not in r.output
