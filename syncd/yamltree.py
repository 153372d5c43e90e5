"""YAML text -> plain data plus a map of key paths to line numbers.

The line map lets the pure core name the line of every key it complains
about, without the core itself depending on a YAML parser.

Model files are small and written by hand, so the loader refuses what only
an attack or an accident produces, quickly and with a clear issue: text over
``MAX_BYTES``, more than ``MAX_ALIASES`` aliases, or a document that would
expand (aliases followed) to more than ``MAX_NODES`` nodes (a "billion
laughs" alias bomb), or nesting deeper than ``MAX_DEPTH``. Numbers in
exponent form without a dot (``1e3``) are numbers, as in YAML 1.2 (PyYAML
follows YAML 1.1 and reads them as text).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from syncd.core.errors import KeyPath, ModelIssue, format_location

Path = KeyPath

__all__ = ["MAX_ALIASES", "MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "Path", "load_yaml"]

MAX_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_NODES = 100_000
MAX_DEPTH = 100

_FLOAT_1_2 = re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")


class _TooBig(Exception):
    """The document exceeds one of the loader's caps."""


class _Loader(yaml.SafeLoader):
    """``SafeLoader`` plus YAML 1.2 exponent floats and an alias cap."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _TooBig(f"more than {MAX_ALIASES} aliases (*name)")
        return super().compose_node(parent, index)


_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_1_2, list("-+0123456789"))


def _expanded_size(root: yaml.Node) -> int:
    """Nodes in the document with every alias expanded, stopping past MAX_NODES."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested deeper than {MAX_DEPTH} levels")
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
                if total > MAX_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
                if total > MAX_NODES:
                    break
        sizes[id(node)] = total
        return total

    return size(root, 0)


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
    """Parse ``text``. Returns ``(data, lines, issues)``; on a syntax error or
    a refused document ``data`` is ``None`` and ``issues`` holds one issue."""
    lines: dict[Path, int] = {}
    if len(text) > MAX_BYTES:
        return (
            None,
            lines,
            [
                ModelIssue(
                    source,
                    "",
                    None,
                    f"file too large for a model ({len(text):,} characters; "
                    f"the limit is {MAX_BYTES:,})",
                )
            ],
        )
    loader = _Loader(text)
    try:
        # One parse: the node tree gives the lines, the same tree gives the data.
        node = loader.get_single_node()
        if node is not None and _expanded_size(node) > MAX_NODES:
            raise _TooBig(f"aliases expand it to more than {MAX_NODES:,} values")
        data = loader.construct_document(node) if node is not None else None
    except _TooBig as exc:
        return None, lines, [ModelIssue(source, "", None, f"YAML refused: {exc}")]
    except RecursionError:
        return None, lines, [ModelIssue(source, "", None, "YAML refused: nested too deeply")]
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
