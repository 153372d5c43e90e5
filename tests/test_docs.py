"""The documentation is true: every worked example in docs/scoring.md scores
as shown (with the real core), docs/configuration.md is what the settings
models generate, and nothing in README.md, docs/ or config/ refers to a file
the repository does not contain."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from syncd.core import contact_from_json, score_batch
from syncd.core.compiler import compile_model
from syncd.core.contract import parse_datetime, result_to_json
from syncd.modelfile import parse_model
from syncd.settings_doc import FALLBACK_DOCS, render

ROOT = Path(__file__).resolve().parents[1]
SCORING = ROOT / "docs" / "scoring.md"
MARKER = re.compile(r"<!-- example: (?P<name>[\w-]+) as_of: (?P<as_of>\S+) -->")
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
        found.append(Example(
            marker["name"], as_of, blocks[0]["body"],
            [json.loads(line) for line in blocks[1]["body"].splitlines() if line.strip()],
            [json.loads(line) for line in blocks[2]["body"].splitlines() if line.strip()]))
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
        "docs/configuration.md is stale: run python -m syncd.settings_doc docs/configuration.md")


def test_every_fallback_description_names_a_documented_key() -> None:
    text = render()
    for key in FALLBACK_DOCS:
        assert f"| `{key}` |" in text, key
