"""Every console example in README.md runs as written and prints what it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Examples that start a server and run until stopped: not run here.
LONG_RUNNING = ("syncd sandbox",)


def console_examples() -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ `` line of the README's console blocks."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, expected = chunk.partition("\n")
            out.append((command, expected))
    return out


EXAMPLES = [(c, e) for c, e in console_examples() if not c.startswith(LONG_RUNNING)]


def test_the_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c[:50] for c, _ in EXAMPLES])
def test_console_example_runs_as_written(command: str, expected: str) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.stdout + done.stderr == expected
