"""The fake CRMs load only when a sandbox or demo command runs: the daemon's
process (``syncd run``, ``syncd serve``) never imports ``syncd.sandbox``."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from syncd.cli import main

PROBE = """
import sys
import click
from syncd.cli import main
ctx = click.Context(main)
for name in ("run", "resync", "status", "check", "setup"):
    main.get_command(ctx, name)
import syncd.daemon
loaded = sorted(m for m in sys.modules if m == "syncd.sandbox" or m.startswith("syncd.sandbox."))
print(",".join(loaded))
main.get_command(ctx, "sandbox")
print("sandbox" if "syncd.sandbox" in sys.modules else "none")
"""


def test_importing_the_cli_and_the_daemon_loads_no_fake() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()
    assert out == ["", "sandbox"]


def test_lazy_commands_are_listed_and_run() -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0 and "demo" in listed.output and "sandbox" in listed.output
    helped = runner.invoke(main, ["sandbox", "--help"])
    assert helped.exit_code == 0 and "hubspot" in helped.output.lower()
