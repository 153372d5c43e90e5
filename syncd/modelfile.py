"""Model files: YAML text -> validated, compiled model.

Reads the YAML (with the line of every key) and the files it references, then
hands the data to the pure core. Paths inside a model are relative to the
model file. Every problem is reported as a ``ModelIssue`` naming the file."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from syncd.core import (
    CompiledModel,
    ModelError,
    ModelIssue,
    ModelSpec,
    compile_model,
    parse_model_data,
)
from syncd.yamltree import MAX_BYTES, load_yaml

__all__ = ["load_model", "parse_model"]


def parse_model(text: str, source: str, attachments: Mapping[str, str] | None = None) -> ModelSpec:
    """Parse and validate model YAML ``text``; raises ``ModelError`` listing every issue."""
    data, lines, issues = load_yaml(text, source)
    return parse_model_data(data, lines, source, attachments, issues)


def _referenced_files(data: Any) -> list[str]:
    """Attachment paths named in the model document (today: ``account.priority.file``)."""
    if not isinstance(data, dict):
        return []
    acc = data.get("account")
    pr = acc.get("priority") if isinstance(acc, dict) else None
    file = pr.get("file") if isinstance(pr, dict) else None
    return [file] if isinstance(file, str) else []


def load_model(path: Path) -> CompiledModel:
    """Load, validate and compile the model at ``path``; raises ``ModelError``."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ModelError([ModelIssue(source, "", None, f"file too large for a model "
                                         f"({size:,} bytes; the limit is {MAX_BYTES:,})")])
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError([ModelIssue(source, "", None, f"cannot read model file: {exc}")]) from None
    data, lines, issues = load_yaml(text, source)
    attachments: dict[str, str] = {}
    for ref in _referenced_files(data):
        # On failure the core reports the missing attachment at the key naming it.
        with contextlib.suppress(OSError, UnicodeDecodeError):
            attachments[ref] = (path.parent / ref).read_text(encoding="utf-8-sig")
    return compile_model(parse_model_data(data, lines, source, attachments, issues))
