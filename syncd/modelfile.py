"""Model files: YAML text -> validated, compiled model.

Reads the YAML (with the line of every key) and the files it references, then
hands the data to the pure core. Paths inside a model are relative to the
model file. Every problem is reported as a ``ModelIssue`` naming the file.

The shipped models (``default``, ``saas``, ``b2c-auto-dealer``) install with the
package, in ``syncd/models/``; ``resolve_model`` turns such a name, or a path
relative to a base directory, into the file to load."""

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

__all__ = ["SHIPPED_DIR", "load_model", "parse_model", "resolve_model", "shipped_models"]

#: Where the shipped models are installed (inside the package).
SHIPPED_DIR = Path(__file__).with_name("models")


def shipped_models() -> list[str]:
    """Names of the models that ship with syncd (``default``, ``saas`` ...)."""
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml"))


def resolve_model(value: str | Path, base: Path | None = None) -> Path:
    """The model file ``value`` names: a shipped model by name (``default``: a
    bare word without a ``/`` or a suffix, when no such file exists in ``base``),
    else a path, relative paths taken relative to ``base`` (default: the
    current directory). The file need not exist."""
    text = str(value)
    path = Path(text).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    bare = "/" not in text and "\\" not in text and not Path(text).suffix
    if bare and not path.exists() and (SHIPPED_DIR / f"{text}.yaml").is_file():
        return SHIPPED_DIR / f"{text}.yaml"
    return path


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
            raise ModelError(
                [
                    ModelIssue(
                        source,
                        "",
                        None,
                        f"file too large for a model ({size:,} bytes; the limit is {MAX_BYTES:,})",
                    )
                ]
            )
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
