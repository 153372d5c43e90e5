"""Builders for scoring-core tests: models from YAML snippets, contacts, activities."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from typing import Any

from syncd.core import CompiledModel, Contact, compile_model, contact_from_json
from syncd.modelfile import parse_model

AS_OF = datetime(2026, 11, 23, tzinfo=UTC)

BASE = """
name: t
tiers:
  - name: low
  - name: mid
    min: 25
  - name: high
    min: 50
mql_tier: mid
"""


def model(
    body: str = "", *, base: str = BASE, attachments: dict[str, str] | None = None
) -> CompiledModel:
    """Compile BASE + ``body`` (dedented YAML)."""
    text = textwrap.dedent(base) + "\n" + textwrap.dedent(body)
    return compile_model(parse_model(text, "test.yaml", attachments or {}))


def iso(days_ago: float = 0.0, *, hours: float = 0.0) -> str:
    return (AS_OF - timedelta(days=days_ago, hours=hours)).isoformat().replace("+00:00", "Z")


def act(type_: str, days_ago: float = 0.0, **attrs: Any) -> dict[str, Any]:
    return {"type": type_, "at": iso(days_ago), **attrs}


def contact(
    cid: str = "c1",
    *,
    props: dict[str, Any] | None = None,
    activities: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Contact:
    obj: dict[str, Any] = {
        "id": cid,
        "properties": props or {},
        "activities": activities or [],
        **fields,
    }
    return contact_from_json(obj)
