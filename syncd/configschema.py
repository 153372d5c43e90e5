"""The settings' shape, walked alongside a config document.

Pydantic validates; this module answers the questions validation does not:
which keys are allowed at a place in the document (for "did you mean" and for
environment overrides), and the small normalisations applied before
validation: relative paths taken relative to the config file's directory,
enumeration values matched case-insensitively (``tier: Pro``).

A place's type comes from the pydantic model fields. Unions are resolved
against the document's value: by the discriminator (``type``, ``flow``) when
the union has one, else by the member whose keys cover the value's keys best.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

__all__ = [
    "child_type",
    "is_mapping_type",
    "keys_of",
    "literal_values",
    "members",
    "normalise",
    "unwrap",
]

#: Resolves a relative path named by the key (the field name) against a directory.
PathResolver = Callable[[str, Path], Path]


def unwrap(tp: Any) -> tuple[Any, str | None]:
    """``tp`` without ``Annotated`` and ``None`` alternatives, and the union's
    discriminator key (when one is declared and is a key name)."""
    discriminator: str | None = None
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            args = typing.get_args(tp)
            for meta in args[1:]:
                if isinstance(meta, FieldInfo) and isinstance(meta.discriminator, str):
                    discriminator = meta.discriminator
            tp = args[0]
            continue
        if origin in (Union, types.UnionType):
            rest = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(rest) == 1:
                tp = rest[0]
                continue
        return tp, discriminator


def members(tp: Any) -> list[Any]:
    """The alternatives of a union type (``[tp]`` for any other type), unwrapped."""
    tp, _ = unwrap(tp)
    if typing.get_origin(tp) in (Union, types.UnionType):
        return [unwrap(a)[0] for a in typing.get_args(tp) if a is not type(None)]
    return [tp]


def literal_values(tp: Any) -> tuple[str, ...]:
    """The string values of a ``Literal`` type (empty for any other type)."""
    tp, _ = unwrap(tp)
    if typing.get_origin(tp) is Literal:
        return tuple(v for v in typing.get_args(tp) if isinstance(v, str))
    return ()


def _model_for(tp: Any, value: Any) -> type[BaseModel] | None:
    """The model class the document's ``value`` is validated against."""
    _, discriminator = unwrap(tp)
    models = [m for m in members(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
    if not models:
        return None
    if len(models) == 1:
        return models[0]
    if not isinstance(value, dict):
        return None
    if discriminator is not None:
        tag = value.get(discriminator)
        for m in models:
            field = m.model_fields.get(discriminator)
            if (
                field is not None
                and isinstance(tag, str)
                and tag.casefold() in (v.casefold() for v in literal_values(field.annotation))
            ):
                return m
        return None
    # No declared key: a Literal field the value matches (``type: hubspot``)
    # decides, else the member whose keys cover the value's keys best.
    best = max(
        models, key=lambda m: (_tag_matches(m, value), sum(k in m.model_fields for k in value))
    )
    return best if any(k in best.model_fields for k in value) else None


def _tag_matches(model: type[BaseModel], value: dict[str, Any]) -> int:
    return sum(
        1
        for k, v in value.items()
        if k in model.model_fields
        and isinstance(v, str)
        and v.casefold() in (c.casefold() for c in literal_values(model.model_fields[k].annotation))
    )


def is_mapping_type(tp: Any) -> bool:
    """Whether ``tp`` is a ``dict[str, X]`` (keys chosen by the user)."""
    return typing.get_origin(unwrap(tp)[0]) is dict


def keys_of(tp: Any, value: Any) -> list[str] | None:
    """The keys allowed at a place of type ``tp`` holding ``value``; ``None``
    when any key is allowed (a ``dict``) or the place is not a mapping."""
    model = _model_for(tp, value)
    if model is not None:
        return list(model.model_fields)
    models = [m for m in members(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
    if not models:
        return None
    # a union whose member the value does not decide: any member's keys
    return list(dict.fromkeys(k for m in models for k in m.model_fields))


def child_type(tp: Any, value: Any, key: str | int) -> Any:
    """The type of ``value[key]`` where ``value`` is of type ``tp`` (None: unknown)."""
    base, _ = unwrap(tp)
    origin = typing.get_origin(base)
    if origin is dict:
        return typing.get_args(base)[1]
    if origin is list:
        return typing.get_args(base)[0]
    model = _model_for(tp, value)
    if model is not None and isinstance(key, str) and key in model.model_fields:
        field = model.model_fields[key]
        if field.discriminator is not None or field.metadata:
            return Annotated[
                (field.annotation, *field.metadata, *([field] if field.discriminator else []))
            ]
        return field.annotation
    return None


def _is_path(tp: Any) -> bool:
    return any(m is Path for m in members(tp))


def normalise(
    value: Any,
    tp: Any,
    base: Path,
    resolvers: dict[str, PathResolver],
    key: str | int | None = None,
) -> Any:
    """A copy of the document ``value`` (of type ``tp``) with relative paths
    resolved against ``base`` (``resolvers`` by field name, else ``base / p``)
    and enumeration values matched case-insensitively."""
    if tp is None:
        return value
    if isinstance(value, str):
        choices = literal_values(tp)
        if choices and value not in choices:
            same = [c for c in choices if c.casefold() == value.casefold()]
            return same[0] if len(same) == 1 else value
        if _is_path(tp) and value:
            resolver = resolvers.get(key) if isinstance(key, str) else None
            if resolver is not None:
                return str(resolver(value, base))
            path = Path(value).expanduser()
            return str(path if path.is_absolute() else base / path)
        return value
    if isinstance(value, dict):
        return {
            k: normalise(v, child_type(tp, value, k), base, resolvers, k) for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            normalise(v, child_type(tp, value, i), base, resolvers, i) for i, v in enumerate(value)
        ]
    return value
