"""Model errors. A broken model raises one ``ModelError`` listing every issue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["KeyPath", "ModelError", "ModelIssue", "format_location"]

KeyPath = tuple[str | int, ...]
"""A key path into a model document: ``("rules", 3, "when")``."""


@dataclass(frozen=True, slots=True)
class ModelIssue:
    """One problem in a model: ``source`` (file name as given), ``location`` (key
    path such as ``rules[3].when.url.contains``; empty for syntax errors),
    ``line`` (1-based YAML line when known) and a human ``message``."""

    source: str
    location: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return (
            f"{where}: {self.location}: {self.message}"
            if self.location
            else (f"{where}: {self.message}")
        )


class ModelError(ValueError):
    """Raised by ``parse_model`` / ``load_model``; ``issues`` lists all problems."""

    def __init__(self, issues: Sequence[ModelIssue]) -> None:
        self.issues: list[ModelIssue] = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues) or "invalid model")


def format_location(path: Sequence[str | int]) -> str:
    """``("rules", 3, "when", "url")`` -> ``"rules[3].when.url"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
