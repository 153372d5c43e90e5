"""The README's configuration reference names every key the config accepts."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from syncd.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict):
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def config_keys(model: type[BaseModel] = Settings) -> set[str]:
    """Every key name at any depth of the config (union variants included)."""
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        keys.add(name)
        for sub in _models_in(info.annotation):
            keys |= config_keys(sub)
    return keys


def test_every_config_key_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Configuration") : text.index("## Commands")]
    documented = set(re.findall(r"`([a-z_]+)[`:.]", section))
    documented |= {
        w for span in re.findall(r"`\{([^`]*)\}`", section) for w in re.findall(r"[a-z_]+", span)
    }
    keys = config_keys()
    assert {"url", "port", "schedule", "access_token", "auth", "extra_activities"} <= keys
    assert keys - documented == set()
