"""Config-file mechanics, independent of the settings' shape: ``${VAR}``
interpolation that keeps YAML valid and lines in place, and mapping a
pydantic error location back onto a key path (and line) of the document.

``${VAR}`` (or ``${VAR:-default}``) is replaced by the environment variable;
``$${`` is a literal ``${``. Placeholders are substituted before the YAML is
parsed (so ``{password: ${PW}}`` stays a valid flow mapping) and expanded in
the parsed strings afterwards (so a value's own characters never become YAML).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from syncd.core.errors import KeyPath

__all__ = ["in_doc", "interpolate", "line_of", "locate", "tokenise"]

_VAR = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_TOKEN = re.compile(r"__syncd_var_(\d+)__")


def tokenise(text: str) -> tuple[str, list[re.Match[str]]]:
    """Replace each ``${…}`` by a YAML-neutral token before parsing, so that
    ``{password: ${PW}}`` stays a valid flow mapping and lines do not move."""
    found: list[re.Match[str]] = []

    def repl(m: re.Match[str]) -> str:
        found.append(m)
        return f"__syncd_var_{len(found) - 1}__"

    return _VAR.sub(repl, text), found


def interpolate(
    data: Any,
    path: KeyPath,
    env: Mapping[str, str],
    found: list[re.Match[str]],
    missing: list[tuple[KeyPath, str]],
) -> Any:
    if isinstance(data, dict):
        return {k: interpolate(v, (*path, k), env, found, missing) for k, v in data.items()}
    if isinstance(data, list):
        return [interpolate(v, (*path, i), env, found, missing) for i, v in enumerate(data)]
    if isinstance(data, str):

        def repl(t: re.Match[str]) -> str:
            m = found[int(t.group(1))]
            if m.group(0) == "$${":
                return "${"
            name, default = m.group(1), m.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            missing.append((path, name))
            return ""

        return _TOKEN.sub(repl, data)
    return data


def locate(data: Any, loc: Sequence[str | int]) -> KeyPath:
    """Map a pydantic error location onto a key path of the document, dropping
    the union tags pydantic inserts (``hubspot``, ``EverySchedule`` …)."""
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if (
            isinstance(node, dict)
            and part in (node.get("type"), node.get("flow"))
            and (not last or part not in node)
        ):
            continue  # the discriminated union's tag, not a key
        if _has(node, part):
            out.append(part)
            node = node[part]
        elif last or (isinstance(node, dict) and not _is_tag(part)):
            out.append(part)
            node = None
    return tuple(out)


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _is_tag(part: str | int) -> bool:
    return isinstance(part, str) and (
        part in ("hubspot", "salesforce", "password", "jwt", "client_credentials")
        or part.endswith("-schedule")
        or part[:1].isupper()
        or part.startswith("function-")
    )


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


def in_doc(data: Any, path: KeyPath) -> bool:
    node = data
    for part in path:
        if not _has(node, part):
            return False
        node = node[part]
    return True
