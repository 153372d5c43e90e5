"""`syncd validate`'s check of a connector's segments (``models:``): routes no
contact can reach (after the default, or taken entirely by an earlier route),
each named with its file and line."""

from __future__ import annotations

from pathlib import Path

from syncd.configfile import line_of, tokenise
from syncd.core.routing import shadowed_routes
from syncd.settings import Settings
from syncd.yamltree import load_yaml

__all__ = ["route_issues"]


def route_issues(settings: Settings, source: Path) -> list[str]:
    """``file:line: connectors.NAME.models[i]: message`` per unreachable route."""
    try:
        text, _found = tokenise(source.read_text(encoding="utf-8"))
        _data, lines, _issues = load_yaml(text, str(source))
    except (OSError, UnicodeDecodeError):
        lines = {}
    out: list[str] = []
    for name, cfg in settings.connectors.items():
        if not cfg.models:
            continue
        for i, j in shadowed_routes([r.when for r in cfg.models]):
            line = line_of(lines, ("connectors", name, "models", i))
            where = f"{source}:{line}" if line is not None else str(source)
            why = (
                f"models[{j}] before it has no 'when' and takes every contact"
                if not cfg.models[j].when
                else f"every contact it matches is taken by models[{j}] before it"
            )
            out.append(f"{where}: connectors.{name}.models[{i}]: unreachable route: {why}")
    return out
