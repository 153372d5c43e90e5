"""YAML text -> plain data plus a map of key paths to line numbers.

The line map lets the pure core name the line of every key it complains
about, without the core itself depending on a YAML parser.
"""

from __future__ import annotations

from typing import Any

import yaml

from syncd.core.errors import KeyPath, ModelIssue, format_location

Path = KeyPath

__all__ = ["Path", "load_yaml"]



def _walk(
    node: yaml.Node, path: Path, lines: dict[Path, int], dups: list[tuple[Path, int]]
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            sub = (*path, key)
            line = key_node.start_mark.line + 1
            if key in seen:
                dups.append((sub, line))
            seen.add(key)
            lines[sub] = line
            _walk(value_node, sub, lines, dups)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = (*path, i)
            lines[sub] = item.start_mark.line + 1
            _walk(item, sub, lines, dups)


def load_yaml(text: str, source: str) -> tuple[Any, dict[Path, int], list[ModelIssue]]:
    """Parse ``text``. Returns ``(data, lines, issues)``; on a syntax error
    ``data`` is ``None`` and ``issues`` holds one issue with the line."""
    lines: dict[Path, int] = {}
    loader = yaml.SafeLoader(text)
    try:
        # One parse: the node tree gives the lines, the same tree gives the data.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return None, lines, [ModelIssue(source, "", line, f"YAML syntax error: {msg}")]
    except yaml.YAMLError as exc:
        return None, lines, [ModelIssue(source, "", None, f"YAML error: {exc}")]
    finally:
        loader.dispose()
    issues: list[ModelIssue] = []
    if node is not None:
        lines[()] = node.start_mark.line + 1
        dups: list[tuple[Path, int]] = []
        _walk(node, (), lines, dups)
        for path, line in dups:
            issues.append(ModelIssue(source, format_location(path), line, "duplicate key"))
    return data, lines, issues
