"""The documentation is true: every worked example in docs/scoring.md scores
as shown (with the real core), docs/configuration.md is what the settings
models generate, nothing in README.md, docs/ or config/ refers to a file
the repository does not contain, and the docs' Python examples are formatted."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from syncd.cli.exit_codes import ExitCode
from syncd.core import contact_from_json, score_batch
from syncd.core.compiler import compile_model
from syncd.core.contract import parse_datetime, result_to_json
from syncd.daemon.metrics import DaemonMetrics
from syncd.modelfile import parse_model
from syncd.settings_doc import FALLBACK_DOCS, render

ROOT = Path(__file__).resolve().parents[1]
SCORING = ROOT / "docs" / "scoring.md"
MARKER = re.compile(r"<!-- example: (?P<name>[\w-]+) as_of: (?P<as_of>\S+) -->")
RUFF = Path(sys.executable).with_name("ruff")
FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class Example:
    name: str
    as_of: datetime
    model: str
    contacts: list[dict[str, Any]]
    expected: list[dict[str, Any]]


def examples(text: str) -> list[Example]:
    """Each marker is followed by three fenced blocks: the model (yaml), the
    contacts (json, one per line) and the expected results (json, one per line:
    the keys shown must equal `syncd score`'s output for that contact)."""
    found: list[Example] = []
    for marker in MARKER.finditer(text):
        blocks = list(FENCE.finditer(text, marker.end()))[:3]
        assert [b["lang"] for b in blocks] == ["yaml", "json", "json"], marker["name"]
        as_of = parse_datetime(marker["as_of"])
        assert as_of is not None, marker["name"]
        found.append(
            Example(
                marker["name"],
                as_of,
                blocks[0]["body"],
                [json.loads(line) for line in blocks[1]["body"].splitlines() if line.strip()],
                [json.loads(line) for line in blocks[2]["body"].splitlines() if line.strip()],
            )
        )
    return found


def score(example: Example) -> list[dict[str, Any]]:
    model = compile_model(parse_model(example.model, f"{example.name}.yaml"))
    contacts = [contact_from_json(c) for c in example.contacts]
    return [result_to_json(r) for r in score_batch(model, contacts, example.as_of)]


EXAMPLES = examples(SCORING.read_text(encoding="utf-8"))


def test_the_scoring_reference_has_its_examples() -> None:
    assert len(EXAMPLES) >= 6
    assert len({e.name for e in EXAMPLES}) == len(EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_scoring_example_scores_as_documented(example: Example) -> None:
    results = {r["id"]: r for r in score(example)}
    assert [e["id"] for e in example.expected] == [c["id"] for c in example.contacts]
    for want in example.expected:
        got = results[want["id"]]
        assert {k: got[k] for k in want} == want, want["id"]


def test_the_configuration_reference_is_generated_from_the_settings() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/configuration.md is stale: run python -m syncd.settings_doc docs/configuration.md"
    )


def test_every_fallback_description_names_a_documented_key() -> None:
    text = render()
    for key in FALLBACK_DOCS:
        assert f"| `{key}` |" in text, key


# ---- references ---------------------------------------------------------------

#: Documents whose references must resolve.
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted(p for p in (ROOT / "config").rglob("*") if p.is_file()),
]
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
#: A repository path in running text: a top-level directory of the repository,
#: then more path; not part of a longer path, a URL or an identifier.
PATH = re.compile(
    r"(?<![\w/.$-])((?:bench|config|connectors|deploy|docs|syncd|tests)"
    r"/[\w.-]+(?:/[\w.-]+)*)"
)
#: Paths named on purpose although the repository does not hold them.
ABSENT_ON_PURPOSE = {
    "config/syncd.yaml": "where a user's own config goes (the default --config)",
    "config/examples/missing.yaml": "the broken example config's point: a missing model",
    "connectors/pipedrive": "the example connector package a newcomer would add",
}


def _references(doc: Path) -> list[tuple[str, Path]]:
    text = doc.read_text(encoding="utf-8")
    refs: list[tuple[str, Path]] = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL, or an anchor in the same page
        path = target.split("#", 1)[0]
        refs.append((target, (doc.parent / path).resolve()))
    for path in PATH.findall(text):
        path = path.rstrip(".")
        if path not in ABSENT_ON_PURPOSE:
            refs.append((path, ROOT / path))
    return refs


@pytest.mark.parametrize("doc", DOCUMENTS, ids=[str(d.relative_to(ROOT)) for d in DOCUMENTS])
def test_every_reference_resolves_in_the_repository(doc: Path) -> None:
    missing = [ref for ref, path in _references(doc) if not path.exists()]
    assert missing == []
    assert "DESIGN" not in doc.read_text(encoding="utf-8")  # users never see that file


def test_no_tracked_file_cites_the_internal_design_notes() -> None:
    """The design notes are not in the repository: code and docs cite docs/ instead."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    citing = [
        name
        for name in tracked
        if name != "tests/test_docs.py"
        and (ROOT / name).is_file()
        and "DESIGN.md" in (ROOT / name).read_text(encoding="utf-8", errors="replace")
    ]
    assert citing == []


def test_the_reference_check_sees_links_and_paths() -> None:
    refs = {ref for ref, _ in _references(ROOT / "docs" / "operations.md")}
    assert {"../Dockerfile", "configuration.md", "deploy/syncd.service"} <= refs


# ---- the runbook names real things ----------------------------------------------

OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def test_the_runbook_names_real_metrics() -> None:
    exposition = DaemonMetrics(["mem"]).exposition().decode()
    names = set(re.findall(r"`(syncd_[a-z0-9_]+)", OPERATIONS))
    assert len(names) >= 10
    for name in names:
        assert re.search(rf"^# HELP {name} ", exposition, re.M), name


def test_the_runbook_lists_every_exit_code() -> None:
    codes = {int(c) for c in re.findall(r"^\| (\d+) \|", OPERATIONS, re.M)}
    assert codes == {int(c) for c in ExitCode}


def test_the_runbook_names_real_log_events() -> None:
    table = OPERATIONS.split("### Log events", 1)[1].split("###", 1)[0]
    events = set(re.findall(r"`([a-z]+(?:_[a-z]+)+)`", table))
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "syncd").rglob("*.py"))
    assert len(events) >= 10
    for event in events:
        assert f'"{event}"' in source, event


def _python_blocks() -> list[tuple[str, int, str]]:
    """(file, line, code) of every ```python block of the user docs."""
    out = []
    for path in sorted([ROOT / "README.md", ROOT / "bench" / "README.md", *ROOT.glob("docs/*.md")]):
        text = path.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            if m.group("lang") == "python":
                line = text.count("\n", 0, m.start()) + 1
                out.append((str(path.relative_to(ROOT)), line, m.group("body")))
    return out


def test_python_examples_in_the_docs_are_formatted_like_the_code() -> None:
    """The docs' Python blocks pass ``ruff format --check`` with the project's
    settings, as the code does in ``make lint``."""
    blocks = _python_blocks()
    assert blocks, "the docs show Python code"
    for name, line, code in blocks:
        done = subprocess.run(
            [str(RUFF), "format", "--check", "--config", str(ROOT / "pyproject.toml"), "-"],
            input=code,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{name}:{line}: not formatted: {done.stdout}{done.stderr}"
