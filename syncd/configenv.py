"""Environment overrides of the config file: one rule for every key.

``SYNCD_`` + the key path in capitals with ``__`` between its parts sets that
key, over the file's value: ``SYNCD_STATE__URL``, ``SYNCD_DAEMON__PORT``,
``SYNCD_CONNECTORS__HUBSPOT_MAIN__ACCESS_TOKEN``. Key parts match
case-insensitively; in a connector name ``-`` and ``.`` are written ``_``
(``HUBSPOT_MAIN`` is the connector ``hubspot-main``), and a variable that
matches two connectors is an error. A variable naming no key is ignored with
a warning (and a "did you mean"); it never creates a connector. A mapping or
list value is written as in the file: ``{cron: "*/5 * * * *"}``.
``SYNCD_CONFIG`` names the file and is not an override.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from syncd.configschema import child_type, is_mapping_type, keys_of, members, unwrap
from syncd.core.errors import KeyPath

__all__ = ["PREFIX", "EnvOverrides", "apply_env"]

PREFIX = "SYNCD_"
#: ``SYNCD_`` variables that are not config keys.
NOT_KEYS = frozenset({"SYNCD_CONFIG"})


@dataclass
class EnvOverrides:
    """The document with the overrides applied, which variable set which key
    path, and the problems: ``(variable, message)``."""

    data: dict[str, Any]
    origins: dict[KeyPath, str] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def origin(self, path: KeyPath) -> str | None:
        """The variable that set ``path`` or one of its parents."""
        for n in range(len(path), 0, -1):
            if path[:n] in self.origins:
                return self.origins[path[:n]]
        return None


def _env_part(key: str) -> str:
    return key.upper().replace("-", "_").replace(".", "_")


def _holds_models(tp: Any) -> bool:
    """Whether the values of the ``dict`` type ``tp`` are mappings of known keys."""
    return _is_model(child_type(tp, {}, ""))


def _is_model(tp: Any) -> bool:
    return any(isinstance(m, type) and issubclass(m, BaseModel) for m in members(tp))


def _is_structured(tp: Any) -> bool:
    """Whether a value of type ``tp`` is a mapping or a list."""
    return typing.get_origin(unwrap(tp)[0]) in (dict, list) or _is_model(tp)


def apply_env(data: dict[str, Any], env: Mapping[str, str], root: Any) -> EnvOverrides:
    """Apply every ``SYNCD_*`` variable of ``env`` to ``data`` (a copy is
    changed); ``root`` is the settings model class."""
    out = EnvOverrides(data=_copy(data))
    for var in sorted(env):
        if not var.upper().startswith(PREFIX) or var.upper() in NOT_KEYS:
            continue
        _apply_one(out, var, env[var], root)
    return out


def _apply_one(out: EnvOverrides, var: str, raw: str, root: Any) -> None:
    parts = var[len(PREFIX) :].split("__")
    node: Any = out.data
    tp: Any = root
    path: list[str] = []
    for i, part in enumerate(parts):
        wanted = _env_part(part)
        if is_mapping_type(tp):
            present = [k for k in node if _env_part(k) == wanted] if isinstance(node, dict) else []
            if len(present) > 1:
                out.errors.append(
                    (
                        var,
                        f"matches {' and '.join(present)} (in a variable, - and "
                        "_ are the same); rename one of them",
                    )
                )
                return
            if present:
                key = present[0]
            elif _holds_models(tp):
                where = ".".join(path)
                names = list(node) if isinstance(node, dict) else []
                out.warnings.append(
                    (
                        var,
                        f"no {where} entry {part.lower()!r} in the config, "
                        f"ignored{_suggest(parts, i, names)}",
                    )
                )
                return
            else:
                key = part.lower()
        else:
            known = keys_of(tp, node if isinstance(node, dict) else {})
            matches = [k for k in known or [] if _env_part(k) == wanted]
            if not part or not matches:
                out.warnings.append(
                    (
                        var,
                        f"unknown key {part.lower() or '(empty)'!r}, ignored"
                        f"{_suggest(parts, i, known or [])}",
                    )
                )
                return
            key = matches[0]
        path.append(key)
        if i == len(parts) - 1:
            value = _parse(raw, child_type(tp, node if isinstance(node, dict) else {}, key))
            if isinstance(value, _Bad):
                out.errors.append((var, value.message))
                return
            _set(out.data, path, value)
            out.origins[tuple(path)] = var
            return
        tp = child_type(tp, node, key)
        below = node.get(key) if isinstance(node, dict) else None
        node = below if isinstance(below, dict) else {}


def _set(data: dict[str, Any], path: list[str], value: Any) -> None:
    """Set ``path`` in ``data``, making the mappings on the way (only once the
    whole path is known, so that an ignored variable changes nothing)."""
    node = data
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


@dataclass
class _Bad:
    message: str


def _parse(raw: str, tp: Any) -> Any:
    """A variable's text as the value for a key of type ``tp``: a mapping or a
    list is read as YAML (flow style, as in the file); anything else is text
    that validation converts."""
    if tp is not None and _is_structured(tp) and raw.lstrip()[:1] in ("{", "["):
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError:
            return _Bad(
                "not a valid YAML mapping or list (write it as in the file: {key: value} or [a, b])"
            )
    return raw


def _suggest(parts: list[str], i: int, names: list[str]) -> str:
    close = difflib.get_close_matches(
        _env_part(parts[i]), [_env_part(n) for n in names], n=1, cutoff=0.6
    )
    if not close:
        return ""
    fixed = [p.upper() for p in parts]
    fixed[i] = close[0]
    return f"; did you mean {PREFIX}{'__'.join(fixed)}?"


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data
